package kube

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(mut func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "galera-1", UID: "aaaaaaaa-1"}}
	mut(p)
	return p
}

func ready(s corev1.ConditionStatus) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.NodeName = "w1"
		p.Status.PodIP = "198.19.130.5"
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: s}}
	}
}

// Each pod change a reader of the report needs becomes one event with the
// reason it names, and an unchanged pod none.
func TestPodChanges(t *testing.T) {
	reasons := func(o, n *corev1.Pod) []string {
		var out []string
		for _, e := range PodChanges(o, n) {
			out = append(out, e.Reason)
		}
		return out
	}
	up := pod(ready(corev1.ConditionTrue))
	for _, tc := range []struct {
		name string
		o, n *corev1.Pod
		want []string
	}{
		{"unchanged", up, up, nil},
		{"scheduled", pod(func(*corev1.Pod) {}), pod(func(p *corev1.Pod) { p.Spec.NodeName = "w1" }), []string{"Scheduled"}},
		{"pending on a drained zone's volume", pod(func(*corev1.Pod) {}), pod(func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
				Reason: "Unschedulable", Message: "0/4 nodes are available: 1 node(s) had volume node affinity conflict"}}
		}), []string{"Pending"}},
		{"not ready", up, pod(ready(corev1.ConditionFalse)), []string{"NotReady"}},
		{"restarted", up, pod(func(p *corev1.Pod) {
			ready(corev1.ConditionTrue)(p)
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "mariadb", RestartCount: 1,
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 137}}}}
		}), []string{"Restarted"}},
		{"ip changed", up, pod(func(p *corev1.Pod) { ready(corev1.ConditionTrue)(p); p.Status.PodIP = "198.19.131.9" }), []string{"IPChanged"}},
		{"terminating", up, pod(func(p *corev1.Pod) { ready(corev1.ConditionTrue)(p); p.DeletionTimestamp = &metav1.Time{} }), []string{"Terminating"}},
		{"replaced", up, pod(func(p *corev1.Pod) { p.UID = "bbbbbbbb-2" }), []string{"Replaced", "NotReady"}},
	} {
		if got := reasons(tc.o, tc.n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if e := PodChanges(up, pod(ready(corev1.ConditionFalse)))[0]; e.Object != "pod/galera-1" || e.Host != "w1" {
		t.Errorf("event %+v: want object pod/galera-1 on host w1", e)
	}
}

func TestNodeChanges(t *testing.T) {
	node := func(ready corev1.ConditionStatus, cordoned bool) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "w2", Annotations: map[string]string{CordonedBy: "r1/b"}}}
		n.Spec.Unschedulable = cordoned
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready, Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status."}}
		return n
	}
	got := NodeChanges(node(corev1.ConditionTrue, false), node(corev1.ConditionUnknown, true))
	if len(got) != 2 || got[0].Reason != "NodeNotReady" || got[1].Reason != "Cordoned" || got[1].Message != "r1/b" {
		t.Fatalf("NodeChanges: %+v", got)
	}
	if got := NodeChanges(node(corev1.ConditionUnknown, true), node(corev1.ConditionTrue, false)); len(got) != 2 || got[1].Reason != "Uncordoned" {
		t.Fatalf("NodeChanges back: %+v", got)
	}
}
