package elle

import (
	"errors"
	"slices"
)

// spec describes one cycle class: a cycle closed by a start edge of kind
// start, followed by a path of path kinds that includes every kind in need.
// With nonadjacent set (to start's kind), no two consecutive edges of the
// cycle have that kind, counting cyclically: the path neither begins nor
// ends with one. Within one component, a class with skipIfFound is not
// searched when a class before it with the same edge mask already found a
// cycle there.
type spec struct {
	name        string
	start, path kind
	need        []kind // at most two, one with nonadjacent
	nonadjacent kind
	skipIfFound bool
}

func (s spec) mask() kind { return s.start | s.path }

// bit is the flag recording that the path used an edge of kind k.
func (s spec) bit(k kind) int32 {
	for i, n := range s.need {
		if k == n {
			return 1 << i
		}
	}
	return 0
}

// full is the flags of a path that may close the cycle: every needed kind
// used, and (with nonadjacent) the last edge not of that kind.
func (s spec) full() int32 { return 1<<len(s.need) - 1 }

// lastBit is the flag recording that the last edge was of the nonadjacent
// kind; 0 without one.
func (s spec) lastBit() int32 {
	if s.nonadjacent == 0 {
		return 0
	}
	return 1 << len(s.need)
}

// initial is the flags at the start edge's target.
func (s spec) initial() int32 { return s.lastBit() }

// step returns the flags after following an edge of kind k, and false when
// the edge may not follow.
func (s spec) step(flags int32, k kind) (int32, bool) {
	flags |= s.bit(k)
	last := s.lastBit()
	switch {
	case last == 0:
		return flags, true
	case k != s.nonadjacent:
		return flags &^ last, true
	case flags&last != 0:
		return 0, false
	}
	return flags | last, true
}

// specs are searched in order; each yields at most one cycle per component.
// A G-nonadjacent search needs no second rw edge: where G-single found no
// cycle, none has exactly one. It runs before G2-item, whose cycles may be
// nonadjacent or not, so that a G2-item cycle never hides a nonadjacent one.
var specs = []spec{
	{name: "G0", start: ww, path: ww},
	{name: "G1c", start: wr, path: ww | wr},
	{name: "G-single", start: rw, path: ww | wr},
	{name: "G-nonadjacent-item", start: rw, path: ww | wr | rw, nonadjacent: rw, skipIfFound: true},
	{name: "G2-item", start: rw, path: ww | wr | rw, need: []kind{rw}, skipIfFound: true},
	{name: "G0-process", start: proc, path: ww | proc},
	{name: "G1c-process", start: wr, path: ww | wr | proc, need: []kind{proc}},
	{name: "G-single-process", start: rw, path: ww | wr | proc, need: []kind{proc}},
	{name: "G-nonadjacent-item-process", start: rw, path: ww | wr | rw | proc, need: []kind{proc}, nonadjacent: rw, skipIfFound: true},
	{name: "G2-item-process", start: rw, path: ww | wr | rw | proc, need: []kind{rw, proc}, skipIfFound: true},
	{name: "G0-realtime", start: rt, path: ww | proc | rt},
	{name: "G1c-realtime", start: wr, path: ww | wr | proc | rt, need: []kind{rt}},
	{name: "G-single-realtime", start: rw, path: ww | wr | proc | rt, need: []kind{rt}},
	{name: "G-nonadjacent-item-realtime", start: rw, path: allKinds, need: []kind{rt}, nonadjacent: rw, skipIfFound: true},
	{name: "G2-item-realtime", start: rw, path: allKinds, need: []kind{rw, rt}, skipIfFound: true},
}

// errBudget reports that a cycle search ran out of budget.
var errBudget = errors.New("cycle search budget exhausted")

// findCycles finds, for every cycle class, one short cycle in each strongly
// connected component of the graph restricted to the class's edge kinds.
// Only nodes on some cycle of the whole graph are searched.
func (c *checker) findCycles() error {
	roots := c.invokeOrder()
	full, err := c.g.sccs(c.inGraph, roots, allKinds, c.tick)
	if err != nil || len(full.list) == 0 {
		return err
	}
	in := make([]bool, len(c.txns))
	roots = roots[:0]
	for _, comp := range full.list {
		for _, v := range comp {
			in[v] = true
			roots = append(roots, v)
		}
	}
	byMask := map[kind]components{}
	found := map[kind][]bool{}
	s := newSearch(len(c.txns))
	for _, sp := range specs {
		comps, ok := byMask[sp.mask()]
		if !ok {
			if comps, err = c.g.sccs(in, roots, sp.mask(), c.tick); err != nil {
				return err
			}
			byMask[sp.mask()], found[sp.mask()] = comps, make([]bool, len(comps.list))
		}
		var keep func(u int32, e edge) bool
		if sp.nonadjacent != 0 && (!sp.skipIfFound || slices.Contains(found[sp.mask()], false)) {
			if keep, err = c.nonadjacentStarts(in, roots, sp); err != nil {
				return err
			}
		}
		if err := c.searchClass(s, sp, comps, found[sp.mask()], keep); err != nil {
			return err
		}
	}
	return nil
}

// searchClass looks for a cycle of class sp in every component, from the
// start edges keep accepts (all when nil).
func (c *checker) searchClass(s *search, sp spec, comps components, found []bool, keep func(int32, edge) bool) error {
	budget := c.opts.SearchBudget
	for ci := range comps.list {
		if sp.skipIfFound && found[ci] {
			continue
		}
		steps, txns, err := s.cycle(c, sp, comps, int32(ci), keep, &budget)
		if errors.Is(err, errBudget) {
			c.incomplete = append(c.incomplete, sp.name)
			return nil
		}
		if err != nil {
			return err
		}
		if txns != nil {
			found[ci] = true
			c.rep.add(classify(steps), func() Anomaly { return c.cycleAnomaly(txns, steps) })
		}
	}
	return nil
}
