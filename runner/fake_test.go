package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/workloads"
)

// fakeCluster is an in-memory cluster for the runner's hermetic tests:
// nodes that are up or down, one set of committed values that every node
// holds, and a log of what faults did to it. Faults are scripted: a kind in
// noEffect injects without effect, one in failRecover fails its Recover.
type fakeCluster struct {
	mu          sync.Mutex
	name        string
	nodes       []targets.Node
	down        map[string]bool
	values      []int64
	log         []string
	noEffect    map[string]bool
	failRecover map[string]bool
}

// fakeClusters lets a fake provider reopen a cluster by name, as the local
// provider reopens a lab from its state directory.
var fakeClusters sync.Map

func newFakeCluster(name string, n int) *fakeCluster {
	c := &fakeCluster{name: name, down: map[string]bool{}, noEffect: map[string]bool{}, failRecover: map[string]bool{}}
	for i := 1; i <= n; i++ {
		c.nodes = append(c.nodes, targets.Node{Name: fmt.Sprintf("n%d", i), Zone: string(rune('a' + (i-1)%3))})
	}
	fakeClusters.Store(name, c)
	return c
}

func (c *fakeCluster) logf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, fmt.Sprintf(format, a...))
}

func (c *fakeCluster) setDown(nodes []string, down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range nodes {
		c.down[n] = down
	}
}

func (c *fakeCluster) isDown(node string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.down[node]
}

// commit adds v through node; false when the node is down.
func (c *fakeCluster) commit(node string, v int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down[node] {
		return false
	}
	c.values = append(c.values, v)
	return true
}

// fakeProvider serves the "local" kind with fake clusters.
type fakeProvider struct{ cluster *fakeCluster }

var _ targets.Provider = fakeProvider{}

func (fakeProvider) Kind() string { return scenarios.TargetLocal }

func (p fakeProvider) Open(context.Context, *scenarios.Scenario, targets.OpenOptions) (targets.Session, error) {
	return &fakeSession{c: p.cluster}, nil
}

// Faults registers the kinds the tests use: kill and pause take nodes
// down until healed, restart is a one-shot with a proof, promote a one-shot
// without one.
func (fakeProvider) Faults(string) *targets.Registry {
	r := targets.NewRegistry(nil)
	for _, k := range []struct {
		kind string
		life injectors.Lifecycle
	}{
		{scenarios.FaultKill, injectors.Lifecycle{Proof: "node down"}},
		{scenarios.FaultPause, injectors.Lifecycle{Proof: "node down"}},
		{scenarios.FaultRestart, injectors.Lifecycle{OneShot: true, Proof: "node restarted"}},
		{scenarios.FaultPromote, injectors.Lifecycle{OneShot: true}},
	} {
		r.RegisterLife(k.kind, k.life, func(raw json.RawMessage) (injectors.Fault, error) {
			var f fakeFault
			if err := json.Unmarshal(raw, &f.p); err != nil {
				return nil, err
			}
			v, ok := fakeClusters.Load(f.p.Cluster)
			if !ok {
				return nil, fmt.Errorf("no fake cluster %q", f.p.Cluster)
			}
			f.c = v.(*fakeCluster)
			return &f, nil
		})
	}
	r.Register(outageKind())
	return r
}

// fakeSpellings are the kinds the fake provider registers whole.
func fakeSpellings() []scenarios.KindSpec { return fakeProvider{}.Faults("").Spellings() }

// fakeSession is the fake cluster as a target session.
type fakeSession struct{ c *fakeCluster }

var _ targets.Session = (*fakeSession)(nil)

func (s *fakeSession) Name() string          { return s.c.name }
func (s *fakeSession) Topology() string      { return "galera" }
func (s *fakeSession) Nodes() []targets.Node { return slices.Clone(s.c.nodes) }

func (s *fakeSession) Probe(_ context.Context, node string) targets.Probe {
	if s.c.isDown(node) {
		return targets.Probe{Node: node, Role: targets.RoleDown, Err: "down"}
	}
	return targets.Probe{Node: node, Reachable: true, Writable: true, ClusterStatus: "Primary",
		LocalState: "Synced", ClusterSize: len(s.c.nodes), Role: targets.RoleGaleraSynced}
}

func (s *fakeSession) WaitHealthy(ctx context.Context) error {
	for {
		var down []string
		for _, n := range s.c.nodes {
			if s.c.isDown(n.Name) {
				down = append(down, n.Name)
			}
		}
		if len(down) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("down: %s: %w", strings.Join(down, ","), ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *fakeSession) Ref() targets.Ref {
	return targets.Ref{Kind: scenarios.TargetLocal, Name: s.c.name}
}

func (s *fakeSession) BuildFault(_ context.Context, st targets.Step) (injectors.Fault, error) {
	return &fakeFault{c: s.c, p: fakeParams{Cluster: s.c.name, Kind: st.Kind, Nodes: st.Nodes}}, nil
}

func (s *fakeSession) Leftovers(context.Context, string) ([]string, error) {
	var left []string
	for _, n := range s.c.nodes {
		if s.c.isDown(n.Name) {
			left = append(left, n.Name+" down")
		}
	}
	return left, nil
}

func (s *fakeSession) CollectLogs(context.Context, string) error { return nil }

func (s *fakeSession) Versions(context.Context) targets.Versions {
	return targets.Versions{MariaDB: "10.11.0-fake", Galera: "26.4-fake"}
}

func (s *fakeSession) Close(_ context.Context, keep bool) (string, error) {
	s.c.logf("close keep=%v", keep)
	return "", nil
}

// fakeFault takes its nodes down (kill, pause) or only notes what it did.
type fakeFault struct {
	c *fakeCluster
	p fakeParams
}

type fakeParams struct {
	Cluster string   `json:"cluster"`
	Kind    string   `json:"kind"`
	Nodes   []string `json:"nodes"`
}

var _ injectors.Verifier = (*fakeFault)(nil)

func (f *fakeFault) Kind() string { return f.p.Kind }

func (f *fakeFault) Params() json.RawMessage { b, _ := json.Marshal(f.p); return b }

func (f *fakeFault) takesDown() bool {
	return f.p.Kind == scenarios.FaultKill || f.p.Kind == scenarios.FaultPause
}

func (f *fakeFault) Inject(context.Context) error {
	f.c.logf("inject %s %s", f.p.Kind, strings.Join(f.p.Nodes, ","))
	if f.takesDown() && !f.c.noEffect[f.p.Kind] {
		f.c.setDown(f.p.Nodes, true)
	}
	return nil
}

func (f *fakeFault) Recover(context.Context) error {
	f.c.logf("recover %s %s", f.p.Kind, strings.Join(f.p.Nodes, ","))
	if f.c.failRecover[f.p.Kind] {
		return fmt.Errorf("recover %s: scripted failure", f.p.Kind)
	}
	if f.takesDown() {
		f.c.setDown(f.p.Nodes, false)
	}
	return nil
}

func (f *fakeFault) Verify(context.Context) (injectors.Evidence, error) {
	held := !f.c.noEffect[f.p.Kind]
	return injectors.Evidence{Held: held, Summary: fmt.Sprintf("%s on %s: held=%v", f.p.Kind, strings.Join(f.p.Nodes, ","), held)}, nil
}

// fakeLoad is a ledger workload against the fake cluster: one client per
// node adding unique values every few milliseconds; an add on a down node
// fails.
type fakeLoad struct {
	env LoadEnv
	c   *fakeCluster
	mu  sync.Mutex
	win map[int64]*workloads.Window // by second
}

func newFakeLoad(c *fakeCluster) LoadFactory {
	return func(env LoadEnv) (Load, error) {
		return &fakeLoad{env: env, c: c, win: map[int64]*workloads.Window{}}, nil
	}
}

func (l *fakeLoad) Kind() string { return scenarios.WorkloadLedger }

func (l *fakeLoad) Setup(context.Context, targets.Node, []targets.Node) error { return nil }

func (l *fakeLoad) Run(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for id, n := range l.env.Nodes {
		wg.Go(func() { l.client(ctx, id, n.Name, end) })
	}
	wg.Wait()
	return nil
}

func (l *fakeLoad) client(ctx context.Context, id int, node string, end time.Time) {
	for k := int64(1); ctx.Err() == nil && time.Now().Before(end); k++ {
		v := workloads.LedgerValue(id, k)
		raw := json.RawMessage(fmt.Sprint(v))
		l.env.Recorder.Record(&history.Event{Time: l.env.Clock(), Process: id, Type: history.Invoke, F: "add", Value: raw, Node: node})
		typ := history.OK
		if !l.c.commit(node, v) {
			typ = history.Fail
		}
		now := l.env.Clock()
		l.env.Recorder.Record(&history.Event{Time: now, Process: id, Type: typ, F: "add", Value: raw, Node: node})
		l.count(now, typ)
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *fakeLoad) count(t int64, typ history.Type) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := t / int64(time.Second)
	w := l.win[s]
	if w == nil {
		w = &workloads.Window{Start: s * int64(time.Second)}
		l.win[s] = w
	}
	switch typ {
	case history.OK:
		w.OK++
	case history.Fail:
		w.Fail++
	default:
		w.Info++
	}
}

func (l *fakeLoad) Stats() workloads.Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]int64, 0, len(l.win))
	for k := range l.win {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var st workloads.Stats
	for _, k := range keys {
		st.Windows = append(st.Windows, *l.win[k])
	}
	return st
}

func (l *fakeLoad) FinalRead(_ context.Context, nodes []targets.Node) []history.FinalNode {
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	vals := slices.Sorted(slices.Values(l.c.values))
	out := make([]history.FinalNode, len(nodes))
	for i, n := range nodes {
		out[i] = history.FinalNode{Node: n.Name, Reachable: !l.c.down[n.Name], Ledger: vals}
	}
	return out
}
