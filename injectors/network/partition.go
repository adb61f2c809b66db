package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets"
)

// KindPartition is the registered kind of a partition.
const KindPartition = "partition"

// PartitionParams is everything needed to apply, prove and undo a partition:
// the endpoints with the peers each cannot send to (the intended matrix) and
// the blackhole routes that make it so, tagged with the run's metric.
type PartitionParams struct {
	RunID  string          `json:"runId"`
	Shape  string          `json:"shape"`
	Metric int             `json:"metric"`
	Nodes  []PartitionNode `json:"nodes"`
	Routes []NodeRoutes    `json:"routes"`
}

// PartitionNode is one node of a partition: the peers it cannot send to.
type PartitionNode struct {
	Endpoint
	DropTo []string `json:"dropTo,omitempty"`
}

// Partition cuts the lab network with blackhole routes inside each node's
// namespace: a cut a→b discards, in a, every packet a sends to b. Route
// changes do not wait for the kernel the way nftables commits that delete
// do, so a heal costs about as little as an inject.
type Partition struct {
	p     PartitionParams
	mu    sync.Mutex
	socks []*routeSocket // index-aligned with p.Routes, open from Inject to Recover
}

var (
	_ injectors.Fault    = (*Partition)(nil)
	_ injectors.Verifier = (*Partition)(nil)
)

// Endpoints reads the network handles of every node of m; each endpoint
// probes the node's SQL port and, when there is one, its Galera port.
func Endpoints(m targets.Machine) ([]Endpoint, error) {
	var eps []Endpoint
	for _, n := range m.Nodes() {
		h, err := m.Handles(n.Name)
		if err != nil {
			return nil, fmt.Errorf("handles of %s: %w", n.Name, err)
		}
		eps = append(eps, Endpoint{Node: n.Name, NetNS: h.NetNS, Addr: h.Addr, Ports: h.Ports[:min(2, len(h.Ports))]})
	}
	return eps, nil
}

// NewPartition plans a partition of shape over the endpoints.
func NewPartition(runID, shape string, groups [][]string, selected []string, eps []Endpoint) (*Partition, error) {
	names := make([]string, len(eps))
	for i, e := range eps {
		names[i] = e.Node
	}
	plan, err := PlanPartition(shape, names, groups, selected)
	if err != nil {
		return nil, err
	}
	p := PartitionParams{RunID: runID, Shape: shape, Metric: RouteMetric(runID), Routes: PlanRoutes(plan, eps)}
	for _, e := range eps {
		p.Nodes = append(p.Nodes, PartitionNode{Endpoint: e, DropTo: plan.DropTo(e.Node, names)})
	}
	return &Partition{p: p}, nil
}

// PartitionFromParams rebuilds a partition from its Params.
func PartitionFromParams(raw json.RawMessage) (*Partition, error) {
	var p PartitionParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("partition params: %w", err)
	}
	if p.Metric == 0 {
		return nil, fmt.Errorf("partition params: no route metric (a record from an older faultline?)")
	}
	return &Partition{p: p}, nil
}

// Kind is "partition".
func (*Partition) Kind() string { return KindPartition }

// Params is the JSON of PartitionParams.
func (f *Partition) Params() json.RawMessage { return mustJSON(f.p) }

// Plan is the directed cuts of the partition.
func (f *Partition) Plan() Plan {
	plan := Plan{}
	for _, n := range f.p.Nodes {
		for _, b := range n.DropTo {
			plan[Cut{n.Node, b}] = true
		}
	}
	return plan
}

// Routes is the blackhole routes of every node with cuts.
func (f *Partition) Routes() []NodeRoutes { return f.p.Routes }

// Inject adds every node's routes: one route socket per node, opened on
// first use and kept until Recover, and one write per node for all its
// routes. Adding a route that is there already is fine, so injecting twice
// leaves one route per cut.
func (f *Partition) Inject(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.socks == nil {
		socks, err := openRouteSockets(f.paths(f.p.Routes))
		if err != nil {
			return fmt.Errorf("inject partition: %w", err)
		}
		f.socks = socks
	}
	var errs []error
	for i, r := range f.p.Routes {
		if err := f.socks[i].apply(opAdd, r.Dst, f.p.Metric); err != nil {
			errs = append(errs, fmt.Errorf("inject partition on %s: %w", r.Node, err))
		}
	}
	return errors.Join(errs...)
}

// Recover deletes exactly the partition's routes in every node (absent
// routes and namespaces are fine) and closes the route sockets.
func (f *Partition) Recover(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	socks := f.socks
	f.socks = nil
	routes := f.p.Routes
	if socks == nil {
		routes = slices.DeleteFunc(slices.Clone(routes), func(r NodeRoutes) bool { return missingNS(r.NetNS) })
		var err error
		if socks, err = openRouteSockets(f.paths(routes)); err != nil {
			return fmt.Errorf("recover partition: %w", err)
		}
	}
	defer closeAll(socks)
	var errs []error
	for i, r := range routes {
		if err := socks[i].apply(opDel, r.Dst, f.p.Metric); err != nil {
			errs = append(errs, fmt.Errorf("recover partition on %s: %w", r.Node, err))
		}
	}
	return errors.Join(errs...)
}

func (f *Partition) paths(rs []NodeRoutes) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.NetNS
	}
	return out
}

// PartitionEvidence is the intended and the observed connectivity.
type PartitionEvidence struct {
	Expected map[string]map[string]bool `json:"expected"`
	Observed Matrix                     `json:"observed"`
	Wrong    []string                   `json:"wrong,omitempty"`
}

// Verify probes the connectivity matrix; it holds when it is the intended one.
func (f *Partition) Verify(ctx context.Context) (injectors.Evidence, error) {
	eps := make([]Endpoint, len(f.p.Nodes))
	for i, n := range f.p.Nodes {
		eps[i] = n.Endpoint
	}
	obs, err := ProbeMatrix(ctx, eps, time.Second)
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify partition: %w", err)
	}
	ev := CompareMatrix(f.Plan(), eps, obs)
	held := len(ev.Wrong) == 0 && len(obs.Mixed) == 0
	sum := fmt.Sprintf("partition %s: connectivity matrix as intended", f.p.Shape)
	if !held {
		sum = fmt.Sprintf("partition %s: %d pairs differ from the intended matrix: %v", f.p.Shape, len(ev.Wrong), ev.Wrong)
	}
	return injectors.Evidence{Held: held, Summary: sum, Data: mustJSON(ev)}, nil
}

// CompareMatrix sets the observed matrix against what plan intends.
func CompareMatrix(plan Plan, eps []Endpoint, obs Matrix) PartitionEvidence {
	ev := PartitionEvidence{Expected: map[string]map[string]bool{}, Observed: obs}
	for _, a := range eps {
		ev.Expected[a.Node] = map[string]bool{}
		for _, b := range eps {
			if a.Node == b.Node {
				continue
			}
			want := plan.Reachable(a.Node, b.Node)
			ev.Expected[a.Node][b.Node] = want
			if got := obs.Reach[a.Node][b.Node]; got != want {
				ev.Wrong = append(ev.Wrong, fmt.Sprintf("%s->%s reachable=%v want %v", a.Node, b.Node, got, want))
			}
		}
	}
	return ev
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data structs always marshal
	}
	return b
}
