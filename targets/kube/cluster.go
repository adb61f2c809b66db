package kube

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"faultline.dev/faultline/targets"
)

// ZoneLabel is the well-known label of a node's zone.
const ZoneLabel = "topology.kubernetes.io/zone"

// probeTimeout bounds one probe, port-forward and all.
const probeTimeout = 2 * time.Second

// Cluster is an attached StatefulSet: a targets.Target whose nodes are the
// StatefulSet's pods.
type Cluster struct {
	cfg      Config
	rest     *rest.Config
	cs       kubernetes.Interface
	selector labels.Selector
	topoMu   sync.Mutex
	topology string
	assumed  bool // no pod had answered whether it runs Galera
	user     string
	password string
	rootPass string // the secret's root-password, for promote ("" = use user)
	fwd      *forwards
	ag       *Agents // the node agents, reached on first use

	mu    sync.Mutex
	nodes []targets.Node // by pod name (ordinal order)
	dbs   map[string]*sql.DB
}

var _ targets.Target = (*Cluster)(nil)

// Attach finds the StatefulSet (or the pods of the selector) in a namespace
// opted in with faultline.dev/chaos=allowed, reads the credentials, opens
// port-forwards to the pods on demand and waits for nothing: call
// WaitHealthy.
func Attach(ctx context.Context, cfg Config) (*Cluster, error) {
	cfg = cfg.withDefaults()
	rc, cs, err := cfg.Clients()
	if err != nil {
		return nil, fmt.Errorf("attach %s: %w", cfg.Name(), err)
	}
	c := &Cluster{cfg: cfg, rest: rc, cs: cs, dbs: map[string]*sql.DB{}}
	if err := c.attach(ctx); err != nil {
		return nil, fmt.Errorf("attach %s: %w", cfg.Name(), err)
	}
	return c, nil
}

func (c *Cluster) attach(ctx context.Context) error {
	ns, err := c.cs.CoreV1().Namespaces().Get(ctx, c.cfg.Namespace, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("namespace: %w", err)
	}
	if ns.Labels[ChaosLabel] != ChaosValue {
		return targets.Refuse(fmt.Errorf("namespace %s is not opted in to chaos: label it %s=%s (kubectl label namespace %s %s=%s)",
			ns.Name, ChaosLabel, ChaosValue, ns.Name, ChaosLabel, ChaosValue))
	}
	sel := c.cfg.Selector
	if c.cfg.StatefulSet != "" {
		sts, err := c.statefulSet(ctx)
		if err != nil {
			return err
		}
		s, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
		if err != nil {
			return fmt.Errorf("statefulset %s selector: %w", sts.Name, err)
		}
		sel = s.String()
	}
	if c.selector, err = labels.Parse(sel); err != nil {
		return fmt.Errorf("selector %q: %w", sel, err)
	}
	if err := c.credentials(ctx); err != nil {
		return err
	}
	c.fwd = newForwards(c.rest, c.cs, c.cfg.Namespace, c.cfg.Port)
	if err := c.Refresh(ctx); err != nil {
		return err
	}
	c.topology = c.cfg.Topology
	if c.topology == "" {
		c.settleTopology(ctx)
	}
	return nil
}

// settleTopology asks the servers whether they run Galera while no answer
// has been had: until a pod answers SQL the topology is assumed galera (a
// cluster attached while its pods start), and WaitHealthy asks again.
func (c *Cluster) settleTopology(ctx context.Context) {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	if c.topology != "" && !c.assumed {
		return
	}
	t, ok := c.askTopology(ctx)
	if !ok {
		if c.topology == "" {
			c.cfg.Logf("%s: no pod answers SQL yet; topology assumed galera until one does (set topology to say it)", c.Name())
		}
		c.topology, c.assumed = "galera", true
		return
	}
	if c.assumed && t != c.topology {
		c.cfg.Logf("%s: topology is %s, as the first pod to answer says", c.Name(), t)
	}
	c.topology, c.assumed = t, false
}

func (c *Cluster) statefulSet(ctx context.Context) (*appsv1.StatefulSet, error) {
	sts, err := c.cs.AppsV1().StatefulSets(c.cfg.Namespace).Get(ctx, c.cfg.StatefulSet, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("statefulset: %w", err)
	}
	return sts, nil
}

func (c *Cluster) credentials(ctx context.Context) error {
	names := []string{c.cfg.CredentialsSecret}
	if c.cfg.CredentialsSecret == c.cfg.StatefulSet+"-credentials" {
		names = append(names, c.cfg.StatefulSet) // the default: either name
	}
	var s *corev1.Secret
	var err error
	for _, name := range names {
		if s, err = c.cs.CoreV1().Secrets(c.cfg.Namespace).Get(ctx, name, metav1.GetOptions{}); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("credentials secret %s: %w", strings.Join(names, " or "), err)
	}
	c.user = string(s.Data["user"])
	if c.user == "" {
		c.user = string(s.Data["username"])
	}
	c.password = string(s.Data["password"])
	c.rootPass = string(s.Data["root-password"])
	if c.user == "" {
		return fmt.Errorf("secret %s has no key user (or username)", s.Name)
	}
	return nil
}

// Refresh re-reads the pods and the zones of their nodes.
func (c *Cluster) Refresh(ctx context.Context) error {
	pods, err := c.Pods(ctx)
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return fmt.Errorf("no pods match %s", c.selector)
	}
	zones, err := c.zones(ctx)
	if err != nil {
		return err
	}
	nodes := make([]targets.Node, 0, len(pods))
	for _, p := range pods {
		nodes = append(nodes, targets.Node{Name: p.Name, Zone: zones[p.Spec.NodeName], Host: p.Name, Port: c.cfg.Port,
			User: c.user, Password: c.password, Dial: c.fwd.dialer(p.Name)})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nodes != nil && len(c.nodes) == len(nodes) {
		// pods keep their names; a pod not yet scheduled keeps its last zone
		for i := range nodes {
			if nodes[i].Zone == "" && c.nodes[i].Name == nodes[i].Name {
				nodes[i].Zone = c.nodes[i].Zone
			}
		}
	}
	c.nodes = nodes
	return nil
}

// Pods lists the database pods in ordinal (then name) order.
func (c *Cluster) Pods(ctx context.Context) ([]corev1.Pod, error) {
	list, err := c.cs.CoreV1().Pods(c.cfg.Namespace).List(ctx, metav1.ListOptions{LabelSelector: c.selector.String()})
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	pods := list.Items
	sort.Slice(pods, func(i, j int) bool { return podLess(pods[i].Name, pods[j].Name) })
	return pods, nil
}

// podLess orders StatefulSet pods by ordinal: galera-2 before galera-10.
func podLess(a, b string) bool {
	ai, aerr := strconv.Atoi(a[strings.LastIndexByte(a, '-')+1:])
	bi, berr := strconv.Atoi(b[strings.LastIndexByte(b, '-')+1:])
	if aerr == nil && berr == nil && a[:strings.LastIndexByte(a, '-')] == b[:strings.LastIndexByte(b, '-')] {
		return ai < bi
	}
	return a < b
}

// zones maps node names to their zone label.
func (c *Cluster) zones(ctx context.Context) (map[string]string, error) {
	list, err := c.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	out := map[string]string{}
	for _, n := range list.Items {
		out[n.Name] = n.Labels[ZoneLabel]
	}
	return out, nil
}

func (c *Cluster) askTopology(ctx context.Context) (string, bool) {
	for _, n := range c.Nodes() {
		db, err := n.OpenDB("", probeTimeout)
		if err != nil {
			continue
		}
		var name, on string
		err = db.QueryRowContext(ctx, "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'").Scan(&name, &on)
		db.Close()
		if err == nil {
			if strings.EqualFold(on, "ON") {
				return "galera", true
			}
			return "replication", true
		}
	}
	return "", false
}

// Name is context/namespace/statefulset.
func (c *Cluster) Name() string { return c.cfg.Name() }

// Topology is galera or replication.
func (c *Cluster) Topology() string {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	return c.topology
}

// Config is the configuration the cluster was attached with.
func (c *Cluster) Config() Config { return c.cfg }

// Client is the cluster's client set.
func (c *Cluster) Client() kubernetes.Interface { return c.cs }

// Nodes are the database pods, reached through port-forwards.
func (c *Cluster) Nodes() []targets.Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]targets.Node(nil), c.nodes...)
}

// Probe observes one pod over SQL through its port-forward (see
// targets.ProbeSQL).
func (c *Cluster) Probe(ctx context.Context, node string) targets.Probe {
	return targets.ProbeSQL(ctx, node, c.Topology(), probeTimeout, c.probeDB)
}

func (c *Cluster) probeDB(node string) (*sql.DB, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if db := c.dbs[node]; db != nil {
		return db, nil
	}
	for _, n := range c.nodes {
		if n.Name == node {
			db, err := n.OpenDB("", probeTimeout)
			if err != nil {
				return nil, err
			}
			c.dbs[node] = targets.ProbePool(db)
			return db, nil
		}
	}
	return nil, fmt.Errorf("%s: no pod %q", c.Name(), node)
}

// WaitHealthy waits until the StatefulSet is ready and the database has
// converged, by the same rule as the lab's; on replication it then labels
// the pods with their roles (LabelRoles).
func (c *Cluster) WaitHealthy(ctx context.Context) error {
	reason := "not probed yet"
	var settling targets.Settling
	for {
		if err := c.Refresh(ctx); err != nil {
			reason = err.Error()
		} else if reason = c.notReady(ctx); reason == "" {
			c.settleTopology(ctx)
			if reason = settling.Unhealthy(c.Topology(), targets.ProbeAll(ctx, c)); reason == "" {
				return c.LabelRoles(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy: %s: %w", c.Name(), reason, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// notReady says why the StatefulSet is not ready ("" when it is).
func (c *Cluster) notReady(ctx context.Context) string {
	if c.cfg.StatefulSet == "" {
		return ""
	}
	sts, err := c.statefulSet(ctx)
	if err != nil {
		return err.Error()
	}
	want := int32(1)
	if sts.Spec.Replicas != nil {
		want = *sts.Spec.Replicas
	}
	if sts.Status.ReadyReplicas != want || sts.Status.UpdatedReplicas != want {
		return fmt.Sprintf("statefulset %s: %d of %d ready, %d updated", sts.Name, sts.Status.ReadyReplicas, want, sts.Status.UpdatedReplicas)
	}
	return ""
}

// Close stops the port-forwards and closes the probe pools.
func (c *Cluster) Close() {
	c.mu.Lock()
	for _, db := range c.dbs {
		db.Close()
	}
	c.dbs = map[string]*sql.DB{}
	ag := c.ag
	c.ag = nil
	c.mu.Unlock()
	c.fwd.closeAll()
	if ag != nil {
		ag.Close()
	}
}
