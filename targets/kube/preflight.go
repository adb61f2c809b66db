package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// HostnameLabel is the well-known label of a node's name.
const HostnameLabel = "kubernetes.io/hostname"

// Finding is one way the target is set up that can turn a drill into an
// outage, named by the object and the field to change.
type Finding struct {
	Object  string // kind/name, e.g. statefulset/galera
	Field   string // the field path in that object
	Message string
}

// String is "object field: message".
func (f Finding) String() string { return f.Object + " " + f.Field + ": " + f.Message }

// PreflightInput is what the pre-flight reads: the StatefulSet, the objects
// of its namespace that concern it, and the cluster's nodes and classes.
type PreflightInput struct {
	StatefulSet    *appsv1.StatefulSet
	PDBs           []policyv1.PodDisruptionBudget // of the namespace; those selecting the pods count
	Services       []corev1.Service               // of the namespace; the governing one counts
	StorageClasses []storagev1.StorageClass       // every class (the default one is found by its annotation)
	Nodes          []corev1.Node
	Pods           []corev1.Pod // the StatefulSet's pods
	Topology       string       // galera or replication; "" = galera
}

// preflight is the input with what every rule derives from it.
type preflight struct {
	PreflightInput
	sts      *appsv1.StatefulSet
	obj      string     // statefulset/NAME
	own      labels.Set // the pods' labels (the template's)
	replicas int
	quorum   int // the members that must stay: a majority
}

// rules in the order their findings are reported.
var rules = []func(*preflight) []Finding{
	(*preflight).replicaRule,
	(*preflight).pdbRule,
	(*preflight).hostSpreadRule,
	(*preflight).zoneSpreadRule,
	(*preflight).zoneTaintsRule,
	(*preflight).storageRule,
	(*preflight).readinessRule,
	(*preflight).serviceRule,
}

// PreflightCheck reports every finding of the input, touching nothing.
func PreflightCheck(in PreflightInput) []Finding {
	if in.StatefulSet == nil {
		return []Finding{{Object: "statefulset", Field: "(missing)", Message: "no StatefulSet to check"}}
	}
	p := &preflight{PreflightInput: in, sts: in.StatefulSet, obj: "statefulset/" + in.StatefulSet.Name,
		own: labels.Set(in.StatefulSet.Spec.Template.Labels), replicas: 1}
	if r := in.StatefulSet.Spec.Replicas; r != nil {
		p.replicas = int(*r)
	}
	if p.Topology == "" {
		p.Topology = "galera"
	}
	p.quorum = p.replicas/2 + 1
	var out []Finding
	for _, r := range rules {
		out = append(out, r(p)...)
	}
	return out
}

// Preflight reads the StatefulSet and what concerns it through the
// cluster's client and checks it. It needs a StatefulSet target: a bare pod
// selector names no template to judge.
func (c *Cluster) Preflight(ctx context.Context) ([]Finding, error) {
	if c.cfg.StatefulSet == "" {
		return nil, fmt.Errorf("preflight %s: needs a StatefulSet target (statefulSet: NAME), not a pod selector", c.Name())
	}
	in, err := c.preflightInput(ctx)
	if err != nil {
		return nil, fmt.Errorf("preflight %s: %w", c.Name(), err)
	}
	return PreflightCheck(in), nil
}

func (c *Cluster) preflightInput(ctx context.Context) (PreflightInput, error) {
	in := PreflightInput{Topology: c.Topology()}
	var err error
	if in.StatefulSet, err = c.statefulSet(ctx); err != nil {
		return in, err
	}
	ns, all := c.cfg.Namespace, metav1.ListOptions{}
	pdbs, err := c.cs.PolicyV1().PodDisruptionBudgets(ns).List(ctx, all)
	if err != nil {
		return in, fmt.Errorf("list poddisruptionbudgets: %w", err)
	}
	svcs, err := c.cs.CoreV1().Services(ns).List(ctx, all)
	if err != nil {
		return in, fmt.Errorf("list services: %w", err)
	}
	scs, err := c.cs.StorageV1().StorageClasses().List(ctx, all)
	if err != nil {
		return in, fmt.Errorf("list storageclasses: %w", err)
	}
	nodes, err := c.cs.CoreV1().Nodes().List(ctx, all)
	if err != nil {
		return in, fmt.Errorf("list nodes: %w", err)
	}
	if in.Pods, err = c.Pods(ctx); err != nil {
		return in, err
	}
	in.PDBs, in.Services, in.StorageClasses, in.Nodes = pdbs.Items, svcs.Items, scs.Items, nodes.Items
	return in, nil
}

// selects says whether a label selector (nil: none) matches the pods.
func (p *preflight) selects(ls *metav1.LabelSelector) bool {
	if ls == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	return err == nil && sel.Matches(p.own)
}

// sameNamespace says whether a namespaced object is in the StatefulSet's
// namespace ("" on either side: assumed so).
func (p *preflight) sameNamespace(ns string) bool {
	return ns == "" || p.sts.Namespace == "" || ns == p.sts.Namespace
}

// requiredAntiAffinity says whether the template requires its pods apart
// by topology key (a term whose selector matches the pods themselves).
func (p *preflight) requiredAntiAffinity(key string) bool {
	a := p.sts.Spec.Template.Spec.Affinity
	if a == nil || a.PodAntiAffinity == nil {
		return false
	}
	for _, t := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
		own := len(t.Namespaces) == 0 || t.NamespaceSelector != nil
		for _, ns := range t.Namespaces {
			own = own || p.sameNamespace(ns)
		}
		if t.TopologyKey == key && own && p.selects(t.LabelSelector) {
			return true
		}
	}
	return false
}
