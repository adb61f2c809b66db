package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// setCordon marks a node unschedulable, annotated with who did it.
func setCordon(ctx context.Context, cs kubernetes.Interface, node, mark string) error {
	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{CordonedBy: mark}},
		"spec":     map[string]any{"unschedulable": true},
	})
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("cordon %s: %w", node, err)
	}
	return nil
}

// uncordon makes a node schedulable again and removes faultline's mark.
func uncordon(ctx context.Context, cs kubernetes.Interface, node string) error {
	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]any{CordonedBy: nil}},
		"spec":     map[string]any{"unschedulable": false},
	})
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("uncordon %s: %w", node, err)
	}
	return nil
}

// cordonedBy lists the nodes whose faultline cordon mark matches.
func cordonedBy(ctx context.Context, cs kubernetes.Interface, match func(mark string) bool) ([]string, error) {
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	var out []string
	for _, n := range list.Items {
		if m, ok := n.Annotations[CordonedBy]; ok && match(m) {
			out = append(out, n.Name)
		}
	}
	return out, nil
}

// CordonLeftovers lists the nodes still cordoned by run runID (or by any
// run when runID is "", as LiftCordons takes it).
func CordonLeftovers(ctx context.Context, cs kubernetes.Interface, runID string) ([]string, error) {
	nodes, err := cordonedBy(ctx, cs, func(m string) bool { return runID == "" || strings.HasPrefix(m, runID+"/") })
	for i, n := range nodes {
		nodes[i] = "node " + n + " cordoned"
	}
	return nodes, err
}

// evict asks the Eviction API to evict a pod (a PodDisruptionBudget may
// refuse with 429 Too Many Requests).
func evict(ctx context.Context, cs kubernetes.Interface, p corev1.Pod) error {
	return cs.PolicyV1().Evictions(p.Namespace).Evict(ctx, &policyv1.Eviction{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace},
	})
}

// waitReady waits until the StatefulSet reports every replica ready and
// updated and every pod is Ready.
func (c *Cluster) waitReady(ctx context.Context) error {
	for {
		reason := c.notReady(ctx)
		if reason == "" {
			reason = c.podsNotReady(ctx)
		}
		if reason == "" {
			return c.Refresh(ctx)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %s: %w", c.Name(), reason, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (c *Cluster) podsNotReady(ctx context.Context) string {
	pods, err := c.Pods(ctx)
	if err != nil {
		return err.Error()
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			return p.Name + " terminating"
		}
		if !podReady(p) {
			return fmt.Sprintf("%s %s, not ready", p.Name, p.Status.Phase)
		}
	}
	return ""
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// LiftCordons uncordons every node faultline cordoned — of run runID, or
// of every run when runID is "" — found by its annotation alone: what
// `faultline recover --context` does from any machine after a harness
// crash, with no ledger at hand. It returns the nodes it uncordoned.
func LiftCordons(ctx context.Context, cs kubernetes.Interface, runID string) ([]string, error) {
	nodes, err := cordonedBy(ctx, cs, func(m string) bool { return runID == "" || strings.HasPrefix(m, runID+"/") })
	if err != nil {
		return nil, err
	}
	var done []string
	for _, n := range nodes {
		if err := uncordon(ctx, cs, n); err != nil {
			return done, err
		}
		done = append(done, n)
	}
	return done, nil
}
