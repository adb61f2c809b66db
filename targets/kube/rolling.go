package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"faultline.dev/faultline/injectors"
)

// KindRollingRestart restarts the StatefulSet's pods through its own
// rolling update, as `kubectl rollout restart` does.
const KindRollingRestart = "rollingRestart"

// RestartedAt is the pod template annotation whose change rolls the pods.
const RestartedAt = "faultline.dev/restartedAt"

type rollingParams struct {
	Where
	At       string `json:"at,omitempty"`       // the annotation value written
	Revision string `json:"revision,omitempty"` // the update revision before the restart
}

type rolling struct {
	p  rollingParams
	cs kubernetes.Interface
	c  *Cluster
}

// RollingRestart is a restart of every pod by the StatefulSet controller,
// in its own order (highest ordinal first), each waiting for the previous
// one to be Ready: the cluster events record the order.
func (c *Cluster) RollingRestart() (injectors.Fault, error) {
	if c.cfg.StatefulSet == "" {
		return nil, fmt.Errorf("rollingRestart on %s: needs a StatefulSet, not a pod selector", c.Name())
	}
	return &rolling{p: rollingParams{Where: c.where()}, cs: c.cs, c: c}, nil
}

func rebuildRolling(params json.RawMessage) (injectors.Fault, error) {
	var p rollingParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("rollingRestart params: %w", err)
	}
	cs, err := p.client()
	if err != nil {
		return nil, err
	}
	return &rolling{p: p, cs: cs}, nil
}

func (f *rolling) Kind() string { return KindRollingRestart }

func (f *rolling) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *rolling) Inject(ctx context.Context) error {
	sts, err := f.cs.AppsV1().StatefulSets(f.p.Namespace).Get(ctx, f.p.StatefulSet, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("rollingRestart %s: %w", f.p.StatefulSet, err)
	}
	f.p.Revision = sts.Status.UpdateRevision
	f.p.At = time.Now().UTC().Format(time.RFC3339Nano)
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{RestartedAt: f.p.At}}}}})
	_, err = f.cs.AppsV1().StatefulSets(f.p.Namespace).Patch(ctx, f.p.StatefulSet, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("rollingRestart %s: %w", f.p.StatefulSet, err)
	}
	return nil
}

// Recover does nothing: the rollout is the StatefulSet controller's.
func (f *rolling) Recover(context.Context) error { return nil }

// Verify shows the rollout begun: a new update revision.
func (f *rolling) Verify(ctx context.Context) (injectors.Evidence, error) {
	sts, err := f.cs.AppsV1().StatefulSets(f.p.Namespace).Get(ctx, f.p.StatefulSet, metav1.GetOptions{})
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("rollingRestart verify: %w", err)
	}
	rev := sts.Status.UpdateRevision
	if rev == f.p.Revision || sts.Spec.Template.Annotations[RestartedAt] != f.p.At {
		return injectors.Evidence{Summary: fmt.Sprintf("statefulset %s still at revision %s", sts.Name, rev)}, nil
	}
	return injectors.Evidence{Held: true, Summary: fmt.Sprintf("statefulset %s rolling from revision %s to %s (%d of %d updated)",
		sts.Name, f.p.Revision, rev, sts.Status.UpdatedReplicas, ptrOr(sts.Spec.Replicas, 1))}, nil
}

// WaitRecovered waits until the rollout completed and every pod is Ready.
func (f *rolling) WaitRecovered(ctx context.Context) error {
	if f.c == nil {
		return nil
	}
	return f.c.waitReady(ctx)
}

func ptrOr(p *int32, d int32) int32 {
	if p == nil {
		return d
	}
	return *p
}
