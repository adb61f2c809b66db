package verify

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"faultline.dev/faultline/history"
)

// Convergence checks that the cluster converged after healing: the
// convergence wait succeeded (Final.Converged) and every reachable node
// holds the same workload data as the first reachable node — ledger values,
// balances, lists, registers, table checksums, row digests. Invalid when the
// wait failed or any node differs; Unknown without a final read of at least
// one node. Unreachable nodes are listed in the evidence.
type Convergence struct{}

// Name is "convergence".
func (Convergence) Name() string { return NameConvergence }

// nodeDiff is how one node differs from the reference node.
type nodeDiff struct {
	Node string `json:"node"`
	// Per data kind: how many keys (or ledger values) differ, and the first few.
	Kinds map[string]kindDiff `json:"kinds"`
}

type kindDiff struct {
	Missing int      `json:"missing"` // held by the reference, not by this node
	Extra   int      `json:"extra"`   // held by this node, not by the reference
	Changed int      `json:"changed"` // held by both with different content
	First   []string `json:"first"`   // the first few differing keys
}

type convergenceEvidence struct {
	Converged      bool       `json:"converged"`
	ConvergenceErr string     `json:"convergenceErr,omitempty"`
	Reference      string     `json:"reference,omitempty"`
	Unreachable    []string   `json:"unreachable,omitempty"`
	Differ         []nodeDiff `json:"differ,omitempty"`
}

const firstFew = 5

// Check compares every reachable node with the first one.
func (c Convergence) Check(ctx context.Context, in *Input) Verdict {
	f := in.Final
	if f == nil {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no final read"}
	}
	ev := convergenceEvidence{Converged: f.Converged, ConvergenceErr: f.ConvergenceErr}
	for _, n := range f.Nodes {
		if !n.Reachable {
			ev.Unreachable = append(ev.Unreachable, n.Node)
		}
	}
	nodes := reachableNodes(f)
	if len(nodes) == 0 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no reachable node in the final read", Evidence: toJSON(ev)}
	}
	ev.Reference = nodes[0].Node
	for _, n := range nodes[1:] {
		if ctx.Err() != nil {
			return cancelled(c.Name(), ctx)
		}
		if d := diffNodes(nodes[0], n); len(d.Kinds) > 0 {
			ev.Differ = append(ev.Differ, d)
		}
	}
	v := Verdict{Check: c.Name(), Status: Valid, Evidence: toJSON(ev),
		Summary: fmt.Sprintf("%d reachable nodes hold the same data", len(nodes))}
	switch {
	case !f.Converged:
		v.Status = Invalid
		v.Summary = fmt.Sprintf("the cluster did not converge: %s; %d of %d nodes differ from %s",
			f.ConvergenceErr, len(ev.Differ), len(nodes)-1, ev.Reference)
	case len(ev.Differ) > 0:
		v.Status = Invalid
		v.Summary = fmt.Sprintf("%d of %d nodes differ from %s (first: %s)", len(ev.Differ), len(nodes)-1,
			ev.Reference, ev.Differ[0].Node)
	}
	return v
}

func diffNodes(ref, n *history.FinalNode) nodeDiff {
	d := nodeDiff{Node: n.Node, Kinds: map[string]kindDiff{}}
	d.add("ledger", diffLedger(ref.Ledger, n.Ledger))
	d.add("balances", diffMaps(ref.Balances, n.Balances, func(a, b int64) bool { return a == b }))
	d.add("lists", diffMaps(ref.Lists, n.Lists, slices.Equal[[]int64]))
	d.add("registers", diffMaps(ref.Registers, n.Registers, func(a, b int64) bool { return a == b }))
	d.add("checksums", diffMaps(ref.Checksums, n.Checksums, func(a, b int64) bool { return a == b }))
	d.add("rows", diffMaps(ref.Rows, n.Rows, func(a, b string) bool { return a == b }))
	return d
}

func (d *nodeDiff) add(kind string, k kindDiff) {
	if k.Missing+k.Extra+k.Changed > 0 {
		d.Kinds[kind] = k
	}
}

// diffLedger compares two ledgers as sets, by sorted merge.
func diffLedger(ref, n []int64) kindDiff {
	a, b := slices.Clone(ref), slices.Clone(n)
	slices.Sort(a)
	slices.Sort(b)
	a, b = slices.Compact(a), slices.Compact(b)
	var d kindDiff
	note := func(v int64) {
		if len(d.First) < firstFew {
			d.First = append(d.First, fmt.Sprint(v))
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			d.Missing++
			note(a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			d.Extra++
			note(b[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return d
}

// diffMaps compares two keyed data sets; the first few keys are in key order.
func diffMaps[K int64 | string, V any](ref, n map[K]V, eq func(a, b V) bool) kindDiff {
	var d kindDiff
	var keys []K
	for k, rv := range ref {
		nv, ok := n[k]
		switch {
		case !ok:
			d.Missing++
		case !eq(rv, nv):
			d.Changed++
		default:
			continue
		}
		keys = append(keys, k)
	}
	for k := range n {
		if _, ok := ref[k]; !ok {
			d.Extra++
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys[:min(len(keys), firstFew)] {
		d.First = append(d.First, fmt.Sprint(k))
	}
	return d
}
