// Package network holds the network fault family of the local lab: partitions
// (blackhole routes inside each node's namespace, one per directed cut, tagged
// with a faultline route protocol and the run's metric), the nftables tables
// the zone drain uses, latency and loss (netem, or an NFQUEUE rule plus an
// in-process consumer when the kernel has no netem), bandwidth limits (tbf
// qdiscs), the connectivity matrix that proves a partition, and the audit of
// what a run left behind.
//
// Planners are pure functions over node names; the executors that touch the
// kernel are small and take everything they need from the fault's Params.
package network

import (
	"fmt"
	"slices"
)

// Partition shapes; the same names as the scenario format's.
const (
	ShapeIsolate        = "isolate"
	ShapeHalves         = "halves"
	ShapeMajorityMinor  = "majority-minority"
	ShapeMajoritiesRing = "majorities-ring"
	ShapeBridge         = "bridge"
	ShapeOneWay         = "one-way"
	ShapeGroups         = "groups"
)

// Cut is one directed cut: packets From → To are dropped.
type Cut struct{ From, To string }

// Plan is the set of directed cuts of a partition.
type Plan map[Cut]bool

// Blocked reports whether packets from a to b are dropped.
func (p Plan) Blocked(a, b string) bool { return p[Cut{a, b}] }

// Reachable reports whether a TCP connection from a to b can complete: both
// directions must pass.
func (p Plan) Reachable(a, b string) bool { return !p.Blocked(a, b) && !p.Blocked(b, a) }

// DropTo lists, in node order, the peers node drops packets to.
func (p Plan) DropTo(node string, nodes []string) []string {
	var out []string
	for _, b := range nodes {
		if p.Blocked(node, b) {
			out = append(out, b)
		}
	}
	return out
}

// DropFrom lists, in node order, the peers whose packets node drops.
func (p Plan) DropFrom(node string, nodes []string) []string {
	var out []string
	for _, a := range nodes {
		if p.Blocked(a, node) {
			out = append(out, a)
		}
	}
	return out
}

// cutGroups cuts every pair of nodes that are in different groups, both ways.
func (p Plan) cutGroups(groups ...[]string) {
	for i, g := range groups {
		for _, h := range groups[i+1:] {
			for _, a := range g {
				for _, b := range h {
					p[Cut{a, b}], p[Cut{b, a}] = true, true
				}
			}
		}
	}
}

// PlanPartition turns a partition shape over nodes (all nodes of the target,
// in order) and the selected nodes into directed cuts.
//
//   - isolate: each selected node is cut from every other node.
//   - halves: the first ⌊n/2⌋ nodes (selected first) against the rest.
//   - majority-minority: the selected nodes (a minority) against the rest.
//   - majorities-ring: nodes on a ring each see a distinct majority (n ≥ 4).
//   - bridge: two halves joined by one node (the first selected, else — nothing
//     or every node selected — the middle one).
//   - one-way: the selected nodes cannot send to the rest.
//   - groups: every pair in different groups is cut; ungrouped nodes are an error.
func PlanPartition(shape string, nodes []string, groups [][]string, selected []string) (Plan, error) {
	if err := known(nodes, selected); err != nil {
		return nil, err
	}
	p := Plan{}
	rest := without(nodes, selected)
	switch shape {
	case ShapeIsolate:
		if len(selected) == 0 {
			return nil, fmt.Errorf("partition isolate: no node selected")
		}
		for _, s := range selected {
			p.cutGroups([]string{s}, without(nodes, []string{s}))
		}
	case ShapeHalves:
		order := append(slices.Clone(selected), rest...)
		if len(order) < 2 {
			return nil, fmt.Errorf("partition halves: needs at least 2 nodes")
		}
		p.cutGroups(order[:len(order)/2], order[len(order)/2:])
	case ShapeMajorityMinor:
		if len(selected) == 0 || 2*len(selected) >= len(nodes) {
			return nil, fmt.Errorf("partition majority-minority: %d selected of %d nodes is not a minority", len(selected), len(nodes))
		}
		p.cutGroups(selected, rest)
	case ShapeMajoritiesRing:
		return planRing(append(slices.Clone(selected), rest...))
	case ShapeBridge:
		return planBridge(nodes, selected)
	case ShapeOneWay:
		if len(selected) == 0 || len(rest) == 0 {
			return nil, fmt.Errorf("partition one-way: needs selected and unselected nodes")
		}
		for _, a := range selected {
			for _, b := range rest {
				p[Cut{a, b}] = true
			}
		}
	case ShapeGroups:
		return planGroups(nodes, groups)
	default:
		return nil, fmt.Errorf("partition: unknown shape %q", shape)
	}
	return p, nil
}

// planRing places nodes on a ring; each node sees the nodes within distance
// d = ⌈(m-1)/2⌉ where m is a majority, so its view is a majority of its own.
func planRing(ring []string) (Plan, error) {
	n := len(ring)
	if n < 4 {
		return nil, fmt.Errorf("partition majorities-ring: needs at least 4 nodes, have %d", n)
	}
	m := n/2 + 1
	d := m / 2 // ⌈(m-1)/2⌉
	p := Plan{}
	for i := range ring {
		for j := range ring {
			dist := min((i-j+n)%n, (j-i+n)%n)
			if dist > d {
				p[Cut{ring[i], ring[j]}] = true
			}
		}
	}
	return p, nil
}

func planBridge(nodes, selected []string) (Plan, error) {
	if len(nodes) < 3 {
		return nil, fmt.Errorf("partition bridge: needs at least 3 nodes, have %d", len(nodes))
	}
	// A step without a selector selects every node: that chooses no bridge.
	bridge := nodes[len(nodes)/2]
	if len(selected) > 0 && len(selected) < len(nodes) {
		bridge = selected[0]
	}
	rest := without(nodes, []string{bridge})
	p := Plan{}
	p.cutGroups(rest[:len(rest)/2], rest[len(rest)/2:])
	return p, nil
}

func planGroups(nodes []string, groups [][]string) (Plan, error) {
	if len(groups) < 2 {
		return nil, fmt.Errorf("partition groups: needs at least 2 groups")
	}
	seen := map[string]bool{}
	for _, g := range groups {
		if err := known(nodes, g); err != nil {
			return nil, err
		}
		for _, n := range g {
			if seen[n] {
				return nil, fmt.Errorf("partition groups: node %s is in two groups", n)
			}
			seen[n] = true
		}
	}
	for _, n := range nodes {
		if !seen[n] {
			return nil, fmt.Errorf("partition groups: node %s is in no group", n)
		}
	}
	p := Plan{}
	p.cutGroups(groups...)
	return p, nil
}

func known(nodes, names []string) error {
	for _, n := range names {
		if !slices.Contains(nodes, n) {
			return fmt.Errorf("partition: unknown node %q", n)
		}
	}
	return nil
}

func without(nodes, drop []string) []string {
	var out []string
	for _, n := range nodes {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	return out
}
