package elle

import (
	"cmp"
	"slices"
)

// search is a reusable breadth-first search over (node, flags) states,
// state = node*4 + flags, flags recording which needed edge kinds the path
// used so far and, for a nonadjacent class, whether its last edge was of the
// nonadjacent kind. Arrays are stamped with a generation instead of cleared.
type search struct {
	gen    int32
	seen   []int32 // generation that reached each state
	parent []int32 // previous state
	via    []edge  // edge into each state
	mark   []int32 // generation in which a node closes a start edge
	closer []edge  // that start edge (from the marked node to the target)
	queue  []int32
}

func newSearch(n int) *search {
	return &search{seen: make([]int32, 4*n), parent: make([]int32, 4*n), via: make([]edge, 4*n),
		mark: make([]int32, n), closer: make([]edge, n)}
}

// startEdge is an edge of the class's start kind inside the component.
type startEdge struct {
	from int32
	edge
}

// cycle finds one cycle of class sp in component ci: for each target of a
// start edge, a breadth-first search from the target back to any source of
// a start edge into it. It returns the cycle's transactions and edges
// (edge i leads from txns[i] to txns[i+1 mod n]), or nil if none. Only
// start edges keep accepts (all when nil) are tried; a component without an
// edge of some needed kind is not searched.
func (s *search) cycle(c *checker, sp spec, comps components, ci int32, keep func(int32, edge) bool, budget *int) ([]edge, []int32, error) {
	var starts []startEdge
	var kinds kind // of the edges inside the component
	for _, u := range comps.list[ci] {
		for _, e := range c.g.out(u) {
			if comps.of[e.to] != ci {
				continue
			}
			kinds |= e.kind
			if e.kind&sp.start != 0 && (keep == nil || keep(u, e)) {
				starts = append(starts, startEdge{from: u, edge: e})
			}
		}
	}
	for _, k := range sp.need {
		if kinds&k == 0 {
			return nil, nil, nil
		}
	}
	slices.SortFunc(starts, func(a, b startEdge) int { return cmp.Compare(a.to, b.to) })
	for i := 0; i < len(starts); {
		j := i
		for j < len(starts) && starts[j].to == starts[i].to {
			j++
		}
		es, txns, err := s.from(c, sp, comps, ci, starts[i:j], budget)
		if err != nil || txns != nil {
			return es, txns, err
		}
		i = j
	}
	return nil, nil, nil
}

// from searches from the common target of group back to one of its sources.
func (s *search) from(c *checker, sp spec, comps components, ci int32, group []startEdge, budget *int) ([]edge, []int32, error) {
	s.gen++
	for _, st := range group {
		s.mark[st.from], s.closer[st.from] = s.gen, st.edge
	}
	start := group[0].to*4 + sp.initial()
	s.seen[start] = s.gen
	s.queue = append(s.queue[:0], start)
	for qi := 0; qi < len(s.queue); qi++ {
		if err := c.tick(); err != nil {
			return nil, nil, err
		}
		x := s.queue[qi]
		node, flags := x>>2, x&3
		if s.mark[node] == s.gen && flags == sp.full() {
			es, txns := s.trace(x, start)
			return es, txns, nil
		}
		for _, e := range c.g.out(node) {
			if *budget--; *budget < 0 {
				return nil, nil, errBudget
			}
			if e.kind&sp.path == 0 || comps.of[e.to] != ci {
				continue
			}
			f, ok := sp.step(flags, e.kind)
			if !ok {
				continue
			}
			y := e.to*4 + f
			if s.seen[y] != s.gen {
				s.seen[y], s.parent[y], s.via[y] = s.gen, x, e
				s.queue = append(s.queue, y)
			}
		}
	}
	return nil, nil, nil
}

// trace rebuilds the cycle closed at state goal.
func (s *search) trace(goal, start int32) ([]edge, []int32) {
	var nodes []int32 // goal back to the target
	var es []edge
	for x := goal; x != start; x = s.parent[x] {
		nodes = append(nodes, x>>2)
		es = append(es, s.via[x])
	}
	nodes = append(nodes, start>>2)
	slices.Reverse(nodes) // target … source
	slices.Reverse(es)
	u := nodes[len(nodes)-1]
	txns := append([]int32{u}, nodes[:len(nodes)-1]...)
	return append([]edge{s.closer[u]}, es...), txns
}
