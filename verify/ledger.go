package verify

import (
	"slices"
	"sync"

	"faultline.dev/faultline/history"
)

// ledgerAdd is one attempted ledger value and the operation that added it.
type ledgerAdd struct {
	v  int64
	op int32 // index into opSet.ops
}

// ledgerNode is one reachable node's final ledger, matched against the adds.
type ledgerNode struct {
	name       string
	auth       bool
	size       int     // distinct values held
	present    bitset  // by index into ledgerIndex.adds
	unexpected []int64 // values held that no operation attempted, sorted
}

// ledgerIndex matches every attempted add with every reachable node's final
// ledger. Built once per Input: sorting plus linear merges, O(n log n).
type ledgerIndex struct {
	ops   *opSet
	adds  []ledgerAdd // sorted by value, one per value (the most definite attempt)
	nodes []ledgerNode
	auth  authority
	bad   int // add operations whose value did not decode
}

// ledger returns the shared ledger index (nil when Final is missing).
func (in *Input) ledger() *ledgerIndex {
	d := in.index()
	d.ledgerOnce.Do(func() {
		if in.Final != nil {
			d.ledger = buildLedger(in, d.ops)
		}
	})
	return d.ledger
}

func buildLedger(in *Input, s *opSet) *ledgerIndex {
	idx := &ledgerIndex{ops: s, auth: finalAuthority(in)}
	idx.adds, idx.bad = collectAdds(s)
	nodes := reachableNodes(in.Final)
	idx.nodes = make([]ledgerNode, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes { // each node's sort and merge is independent
		wg.Go(func() { idx.nodes[i] = matchNode(idx.adds, n, idx.auth.nodes[n.Node]) })
	}
	wg.Wait()
	return idx
}

// rank orders completions by how definite they are: ok > info > fail.
func rank(t history.Type) int {
	switch t {
	case history.OK:
		return 3
	case history.Info:
		return 2
	}
	return 1
}

func collectAdds(s *opSet) ([]ledgerAdd, int) {
	adds := make([]ledgerAdd, 0, len(s.ops))
	bad := 0
	for i, o := range s.ops {
		if s.f(o) != "add" {
			continue
		}
		v, ok := parseInt64(s.input(o))
		if !ok && s.output(o) != nil {
			v, ok = parseInt64(s.output(o))
		}
		if !ok {
			bad++
			continue
		}
		adds = append(adds, ledgerAdd{v: v, op: int32(i)})
	}
	slices.SortFunc(adds, func(a, b ledgerAdd) int {
		if a.v != b.v {
			return cmpInt64(a.v, b.v)
		}
		return rank(s.typ(s.ops[b.op])) - rank(s.typ(s.ops[a.op]))
	})
	// One entry per value: the first after sorting is the most definite.
	return slices.CompactFunc(adds, func(a, b ledgerAdd) bool { return a.v == b.v }), bad
}

func matchNode(adds []ledgerAdd, n *history.FinalNode, auth bool) ledgerNode {
	vals := slices.Clone(n.Ledger)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	ln := ledgerNode{name: n.Node, auth: auth, size: len(vals), present: newBitset(len(adds))}
	i := 0
	for _, v := range vals {
		for i < len(adds) && adds[i].v < v {
			i++
		}
		if i < len(adds) && adds[i].v == v {
			ln.present.set(i)
			continue
		}
		ln.unexpected = append(ln.unexpected, v)
	}
	return ln
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bitset is a fixed-size set of small integers.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (uint(i) % 64) }
func (b bitset) get(i int) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }
