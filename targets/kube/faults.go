package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/process"
)

// Fault kinds applied through the Kubernetes API.
const (
	KindPodKill = "podKill"
	KindAZDrain = "azDrain"
)

// CordonedBy annotates a node cordoned by a faultline run ("<run id>/<zone>"), so
// that a heal, `faultline recover` and the leftover audit find exactly the
// cordons faultline made and never lift one it did not.
const CordonedBy = "faultline.dev/cordoned-by"

// Where is what a fault needs to reach the cluster again after a harness
// crash: it is part of every fault's params, hence of its ledger record.
type Where struct {
	Kubeconfig  string `json:"kubeconfig,omitempty"`
	Context     string `json:"context"`
	Namespace   string `json:"namespace"`
	StatefulSet string `json:"statefulSet,omitempty"`
	Selector    string `json:"selector,omitempty"`
}

func (c *Cluster) where() Where {
	return Where{Kubeconfig: c.cfg.Kubeconfig, Context: c.cfg.Context, Namespace: c.cfg.Namespace,
		StatefulSet: c.cfg.StatefulSet, Selector: c.selector.String()}
}

// client reopens the cluster a record names.
func (w Where) client() (kubernetes.Interface, error) { return ClusterClient(w.Kubeconfig, w.Context) }

// Registry is every fault kind this target applies, with its lifecycle and
// the factory that rebuilds it from its ledger record.
func Registry() *injectors.Registry {
	r := injectors.NewRegistry()
	r.RegisterLife(KindPodKill, injectors.Lifecycle{OneShot: true, Proof: "each pod deleted (grace 0) and replaced by a new one, or gone"}, rebuildPodKill)
	r.RegisterLife(KindAZDrain, injectors.Lifecycle{Proof: "every node of the zone cordoned and no database pod running there"}, rebuildAZDrain)
	r.RegisterLife(KindRollingRestart, injectors.Lifecycle{OneShot: true, Proof: "the StatefulSet rolling to a new revision"}, rebuildRolling)
	r.RegisterLife(agent.KindPartition, injectors.Lifecycle{Proof: "connectivity matrix dialled from inside every pod (node agents)"}, rebuildAgent)
	r.RegisterLife(agent.KindPause, injectors.Lifecycle{Proof: "each pod's mariadbd stopped (state T), seen by its node's agent"}, rebuildAgent)
	r.RegisterLife(agent.KindClockSkew, injectors.Lifecycle{Proof: "each pod's NOW(6) against the harness clock"}, rebuildAgent)
	r.RegisterLife(agent.KindLatency, injectors.Lifecycle{Proof: "each pod's connect time from its node's agent, before and during"}, rebuildAgent)
	r.RegisterLife(agent.KindBandwidth, injectors.Lifecycle{Proof: "each pod's token buckets read back by its node's agent"}, rebuildAgent)
	r.RegisterLife(agent.KindDiskThrottle, injectors.Lifecycle{Proof: "each pod's sync writes timed from inside its container's cgroup by its node's agent, limits read back"}, rebuildAgent)
	r.RegisterLife(process.KindPromote, injectors.Lifecycle{OneShot: true}, func(raw json.RawMessage) (injectors.Fault, error) {
		return process.FromParams(process.KindPromote, raw, nil) // nothing to heal, so nothing to reopen
	})
	return r
}

// --- podKill ---------------------------------------------------------------

type podKillParams struct {
	Where
	Pods []string             `json:"pods"`
	UIDs map[string]types.UID `json:"uids,omitempty"` // the killed incarnations
}

type podKill struct {
	p  podKillParams
	cs kubernetes.Interface
	c  *Cluster // nil when rebuilt from the ledger
}

// PodKill deletes pods with grace period 0, as a node's sudden loss or
// `kubectl delete pod --grace-period=0 --force` would.
func (c *Cluster) PodKill(pods []string) injectors.Fault {
	return &podKill{p: podKillParams{Where: c.where(), Pods: pods}, cs: c.cs, c: c}
}

func rebuildPodKill(params json.RawMessage) (injectors.Fault, error) {
	var p podKillParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("podKill params: %w", err)
	}
	cs, err := p.client()
	if err != nil {
		return nil, err
	}
	return &podKill{p: p, cs: cs}, nil
}

func (f *podKill) Kind() string { return KindPodKill }

func (f *podKill) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *podKill) Inject(ctx context.Context) error {
	f.p.UIDs = map[string]types.UID{}
	zero := int64(0)
	for _, name := range f.p.Pods {
		pod, err := f.cs.CoreV1().Pods(f.p.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("podKill %s: %w", name, err)
		}
		f.p.UIDs[name] = pod.UID
		err = f.cs.CoreV1().Pods(f.p.Namespace).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero,
			Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("podKill %s: %w", name, err)
		}
		if f.c != nil {
			f.c.fwd.drop(name)
		}
	}
	return nil
}

// Recover does nothing: a killed pod is replaced by its controller.
func (f *podKill) Recover(context.Context) error { return nil }

// Verify shows every killed incarnation gone: its pod deleted or replaced.
func (f *podKill) Verify(ctx context.Context) (injectors.Evidence, error) {
	var parts []string
	held := true
	for _, name := range f.p.Pods {
		pod, err := f.cs.CoreV1().Pods(f.p.Namespace).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			parts = append(parts, name+" gone")
		case err != nil:
			return injectors.Evidence{}, fmt.Errorf("podKill verify %s: %w", name, err)
		case pod.UID != f.p.UIDs[name]:
			parts = append(parts, fmt.Sprintf("%s replaced (uid %s → %s)", name, short(f.p.UIDs[name]), short(pod.UID)))
		default:
			held = false
			parts = append(parts, name+" still the killed pod")
		}
	}
	return injectors.Evidence{Held: held, Summary: strings.Join(parts, "; ")}, nil
}

// WaitRecovered waits until the StatefulSet is ready again.
func (f *podKill) WaitRecovered(ctx context.Context) error {
	if f.c == nil {
		return nil
	}
	return f.c.waitReady(ctx)
}

func short(u types.UID) string {
	if len(u) > 8 {
		return string(u[:8])
	}
	return string(u)
}

// --- azDrain ---------------------------------------------------------------

type azDrainParams struct {
	Where
	Zone  string `json:"zone"`
	RunID string `json:"runId"`
	// Deadline bounds the evictions (PodDisruptionBudgets answer 429 until
	// the budget allows one); default 2 minutes, as a drain timeout.
	Deadline time.Duration `json:"deadline,omitempty"`
}

type azDrain struct {
	p       azDrainParams
	cs      kubernetes.Interface
	c       *Cluster
	evicted []string // pods evicted by this drain
	refused int      // evictions a PodDisruptionBudget refused (429), retried
}

// AZDrain cordons every node of a zone and evicts the database pods on
// them through the Eviction API, honouring PodDisruptionBudgets as
// `kubectl drain` does; its heal uncordons them.
func (c *Cluster) AZDrain(zone, runID string) injectors.Fault {
	return &azDrain{p: azDrainParams{Where: c.where(), Zone: zone, RunID: runID}, cs: c.cs, c: c}
}

func rebuildAZDrain(params json.RawMessage) (injectors.Fault, error) {
	var p azDrainParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("azDrain params: %w", err)
	}
	cs, err := p.client()
	if err != nil {
		return nil, err
	}
	return &azDrain{p: p, cs: cs}, nil
}

func (f *azDrain) Kind() string { return KindAZDrain }

func (f *azDrain) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *azDrain) zoneNodes(ctx context.Context) ([]corev1.Node, error) {
	list, err := f.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: ZoneLabel + "=" + f.p.Zone})
	if err != nil {
		return nil, fmt.Errorf("azDrain zone %s: list nodes: %w", f.p.Zone, err)
	}
	if len(list.Items) == 0 {
		return nil, fmt.Errorf("azDrain zone %s: no node carries %s=%s", f.p.Zone, ZoneLabel, f.p.Zone)
	}
	return list.Items, nil
}

func (f *azDrain) Inject(ctx context.Context) error {
	nodes, err := f.zoneNodes(ctx)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.Spec.Unschedulable && n.Annotations[CordonedBy] == "" {
			continue // cordoned by someone else: not ours to lift
		}
		if err := setCordon(ctx, f.cs, n.Name, f.mark()); err != nil {
			return fmt.Errorf("azDrain zone %s: %w", f.p.Zone, err)
		}
	}
	return f.evict(ctx, nodes)
}

// evict evicts every database pod on the zone's nodes, retrying what a
// PodDisruptionBudget refuses (429) with backoff until the deadline.
func (f *azDrain) evict(ctx context.Context, nodes []corev1.Node) error {
	deadline := f.p.Deadline
	if deadline == 0 {
		deadline = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	names := make([]string, 0, len(nodes))
	for _, n := range nodes {
		names = append(names, n.Name)
	}
	backoff := 500 * time.Millisecond
	for {
		pods, err := f.podsOn(ctx, names)
		if err != nil {
			return err
		}
		refused := 0
		for _, p := range pods {
			if p.DeletionTimestamp != nil {
				continue
			}
			err := evict(ctx, f.cs, p)
			switch {
			case err == nil, apierrors.IsNotFound(err):
				f.evicted = append(f.evicted, p.Name)
				if f.c != nil {
					f.c.fwd.drop(p.Name)
				}
			case apierrors.IsTooManyRequests(err):
				refused++
				f.refused++
			default:
				return fmt.Errorf("azDrain zone %s: evict %s: %w", f.p.Zone, p.Name, err)
			}
		}
		if refused == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("azDrain zone %s: %d pod(s) still refused by their PodDisruptionBudget: %w", f.p.Zone, refused, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// podsOn lists the target's pods scheduled on the named nodes.
func (f *azDrain) podsOn(ctx context.Context, nodes []string) ([]corev1.Pod, error) {
	list, err := f.cs.CoreV1().Pods(f.p.Namespace).List(ctx, metav1.ListOptions{LabelSelector: f.p.Selector})
	if err != nil {
		return nil, fmt.Errorf("azDrain zone %s: list pods: %w", f.p.Zone, err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if slices.Contains(nodes, p.Spec.NodeName) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Verify shows the zone cordoned and no database pod running in it.
func (f *azDrain) Verify(ctx context.Context) (injectors.Evidence, error) {
	nodes, err := f.zoneNodes(ctx)
	if err != nil {
		return injectors.Evidence{}, err
	}
	var names, open []string
	for _, n := range nodes {
		names = append(names, n.Name)
		if !n.Spec.Unschedulable {
			open = append(open, n.Name)
		}
	}
	pods, err := f.podsOn(ctx, names)
	if err != nil {
		return injectors.Evidence{}, err
	}
	var running []string
	for _, p := range pods {
		if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
			running = append(running, p.Name)
		}
	}
	held := len(open) == 0 && len(running) == 0
	summary := fmt.Sprintf("zone %s: %d node(s) cordoned (%s), no database pod running there; evicted %v, %d eviction(s) refused by a PodDisruptionBudget (429) and retried",
		f.p.Zone, len(names), strings.Join(names, ", "), f.evicted, f.refused)
	if !held {
		summary = fmt.Sprintf("zone %s: schedulable %v, database pods still running %v", f.p.Zone, open, running)
	}
	return injectors.Evidence{Held: held, Summary: summary}, nil
}

// mark is the CordonedBy value of this fault's cordons.
func (f *azDrain) mark() string { return f.p.RunID + "/" + f.p.Zone }

// Recover uncordons every node this fault cordoned — found by its mark, so
// that a fault rebuilt after a crash mid-inject lifts exactly the cordons
// made before the crash. Idempotent.
func (f *azDrain) Recover(ctx context.Context) error {
	nodes, err := cordonedBy(ctx, f.cs, func(m string) bool { return m == f.mark() })
	if err != nil {
		return fmt.Errorf("azDrain zone %s: %w", f.p.Zone, err)
	}
	for _, n := range nodes {
		if err := uncordon(ctx, f.cs, n); err != nil {
			return fmt.Errorf("azDrain zone %s: %w", f.p.Zone, err)
		}
	}
	return nil
}

// WaitRecovered waits until the StatefulSet is ready again.
func (f *azDrain) WaitRecovered(ctx context.Context) error {
	if f.c == nil {
		return nil
	}
	return f.c.waitReady(ctx)
}
