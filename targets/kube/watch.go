package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/targets"
)

var _ targets.Watcher = (*Cluster)(nil)

// Watch reports every change of the database pods and of the cluster's
// nodes that a reader of the report needs to see — scheduled, Pending and
// why, ready or not, restarted, an IP changed, terminating, deleted; a
// node NotReady, cordoned — until ctx ends. Objects present when it starts
// are not reported.
func (c *Cluster) Watch(ctx context.Context, emit func(history.ClusterEvent)) {
	pf := informers.NewSharedInformerFactoryWithOptions(c.cs, 0, informers.WithNamespace(c.cfg.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = c.selector.String() }))
	nf := informers.NewSharedInformerFactory(c.cs, 0)
	_, _ = pf.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if p, ok := obj.(*corev1.Pod); ok && !initial {
				emitAll(emit, []history.ClusterEvent{{Object: "pod/" + p.Name, Reason: "Created", Host: p.Spec.NodeName}})
			}
		},
		UpdateFunc: func(old, cur any) {
			o, ok1 := old.(*corev1.Pod)
			n, ok2 := cur.(*corev1.Pod)
			if ok1 && ok2 {
				emitAll(emit, PodChanges(o, n))
			}
		},
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				emitAll(emit, []history.ClusterEvent{{Object: "pod/" + p.Name, Reason: "Deleted", Host: p.Spec.NodeName}})
			}
		},
	})
	_, _ = nf.Core().V1().Nodes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(old, cur any) {
			o, ok1 := old.(*corev1.Node)
			n, ok2 := cur.(*corev1.Node)
			if ok1 && ok2 {
				emitAll(emit, NodeChanges(o, n))
			}
		},
	})
	pf.Start(ctx.Done())
	nf.Start(ctx.Done())
	<-ctx.Done()
	pf.Shutdown()
	nf.Shutdown()
}

func emitAll(emit func(history.ClusterEvent), evs []history.ClusterEvent) {
	for _, e := range evs {
		emit(e)
	}
}

// PodChanges are the reportable differences between two states of a pod.
func PodChanges(o, n *corev1.Pod) []history.ClusterEvent {
	obj := "pod/" + n.Name
	var out []history.ClusterEvent
	add := func(reason, msg string) {
		out = append(out, history.ClusterEvent{Object: obj, Reason: reason, Message: msg, Host: n.Spec.NodeName})
	}
	if o.UID != n.UID && o.UID != "" {
		add("Replaced", fmt.Sprintf("uid %s → %s", short(o.UID), short(n.UID)))
	}
	if o.Spec.NodeName == "" && n.Spec.NodeName != "" {
		add("Scheduled", "on "+n.Spec.NodeName)
	}
	if oc, nc := condition(o.Status.Conditions, corev1.PodScheduled), condition(n.Status.Conditions, corev1.PodScheduled); nc != nil &&
		nc.Status == corev1.ConditionFalse && (oc == nil || oc.Message != nc.Message || oc.Status != nc.Status) {
		add("Pending", nc.Reason+": "+nc.Message)
	}
	if was, is := podReady(*o), podReady(*n); was != is {
		if is {
			add("Ready", "")
		} else {
			add("NotReady", readyMessage(n))
		}
	}
	if r := restarts(n) - restarts(o); r > 0 && o.UID == n.UID {
		add("Restarted", lastTermination(n))
	}
	if o.Status.PodIP != n.Status.PodIP && n.Status.PodIP != "" {
		if o.Status.PodIP == "" {
			add("IPAssigned", n.Status.PodIP)
		} else {
			add("IPChanged", o.Status.PodIP+" → "+n.Status.PodIP)
		}
	}
	if o.DeletionTimestamp == nil && n.DeletionTimestamp != nil {
		add("Terminating", "")
	}
	return out
}

// NodeChanges are the reportable differences between two states of a node.
func NodeChanges(o, n *corev1.Node) []history.ClusterEvent {
	obj := "node/" + n.Name
	var out []history.ClusterEvent
	add := func(reason, msg string) {
		out = append(out, history.ClusterEvent{Object: obj, Reason: reason, Message: msg, Host: n.Name})
	}
	oc, nc := nodeReady(o), nodeReady(n)
	if oc != nc {
		if nc {
			add("NodeReady", "")
		} else {
			add("NodeNotReady", nodeReadyMessage(n))
		}
	}
	if !o.Spec.Unschedulable && n.Spec.Unschedulable {
		add("Cordoned", n.Annotations[CordonedBy])
	}
	if o.Spec.Unschedulable && !n.Spec.Unschedulable {
		add("Uncordoned", "")
	}
	return out
}

func condition(cs []corev1.PodCondition, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range cs {
		if cs[i].Type == t {
			return &cs[i]
		}
	}
	return nil
}

func readyMessage(p *corev1.Pod) string {
	if c := condition(p.Status.Conditions, corev1.PodReady); c != nil {
		return c.Reason + " " + c.Message
	}
	return ""
}

func restarts(p *corev1.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n += s.RestartCount
	}
	return n
}

func lastTermination(p *corev1.Pod) string {
	for _, s := range p.Status.ContainerStatuses {
		if t := s.LastTerminationState.Terminated; t != nil {
			return fmt.Sprintf("%s: %s (exit %d)", s.Name, t.Reason, t.ExitCode)
		}
	}
	return ""
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func nodeReadyMessage(n *corev1.Node) string {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Reason + ": " + c.Message
		}
	}
	return ""
}
