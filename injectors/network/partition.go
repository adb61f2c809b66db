package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets"
)

// KindPartition is the registered kind of a partition.
const KindPartition = "partition"

// PartitionParams is everything needed to apply, prove and undo a partition.
type PartitionParams struct {
	RunID string          `json:"runId"`
	Shape string          `json:"shape"`
	Table string          `json:"table"`
	Nodes []PartitionNode `json:"nodes"`
}

// PartitionNode is one node's side of a partition: the peers it drops.
type PartitionNode struct {
	Endpoint
	DropTo   []string `json:"dropTo,omitempty"`
	DropFrom []string `json:"dropFrom,omitempty"`
}

// Partition cuts the lab network with one nftables table per node.
type Partition struct{ p PartitionParams }

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
	p := PartitionParams{RunID: runID, Shape: shape, Table: TableName(runID)}
	for _, e := range eps {
		p.Nodes = append(p.Nodes, PartitionNode{Endpoint: e,
			DropTo: plan.DropTo(e.Node, names), DropFrom: plan.DropFrom(e.Node, names)})
	}
	return &Partition{p}, nil
}

// PartitionFromParams rebuilds a partition from its Params.
func PartitionFromParams(raw json.RawMessage) (*Partition, error) {
	var p PartitionParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("partition params: %w", err)
	}
	return &Partition{p}, nil
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
		for _, a := range n.DropFrom {
			plan[Cut{a, n.Node}] = true
		}
	}
	return plan
}

// Specs is the table each node gets; nodes without cuts get none.
func (f *Partition) Specs() map[string]TableSpec {
	addr := map[string]net.IP{}
	for _, n := range f.p.Nodes {
		addr[n.Node] = n.Addr
	}
	out := map[string]TableSpec{}
	for _, n := range f.p.Nodes {
		if len(n.DropTo)+len(n.DropFrom) == 0 {
			continue
		}
		s := TableSpec{Table: f.p.Table}
		for _, b := range n.DropTo {
			s.DropTo = append(s.DropTo, addr[b])
		}
		for _, a := range n.DropFrom {
			s.DropFrom = append(s.DropFrom, addr[a])
		}
		out[n.Node] = s
	}
	return out
}

// Inject applies every node's table, all nodes at once (each commit waits
// for the kernel, so they overlap).
func (f *Partition) Inject(ctx context.Context) error {
	specs := f.Specs()
	return eachNode(f.p.Nodes, func(n PartitionNode) error {
		spec, ok := specs[n.Node]
		if !ok {
			return nil
		}
		if err := ApplyTable(n.NetNS, spec); err != nil {
			return fmt.Errorf("inject partition on %s: %w", n.Node, err)
		}
		return nil
	})
}

// Recover deletes the run's table in every node (absent tables are fine).
func (f *Partition) Recover(ctx context.Context) error {
	return eachNode(f.p.Nodes, func(n PartitionNode) error {
		if err := DeleteTable(n.NetNS, f.p.Table); err != nil {
			return fmt.Errorf("recover partition on %s: %w", n.Node, err)
		}
		return nil
	})
}

// eachNode runs fn for every node concurrently and joins the errors.
func eachNode[T any](nodes []T, fn func(T) error) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() { errs[i] = fn(n) })
	}
	wg.Wait()
	return errors.Join(errs...)
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
