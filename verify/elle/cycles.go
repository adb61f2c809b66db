package elle

import (
	"errors"
	"fmt"
	"strings"
)

// spec describes one cycle class: a cycle closed by a start edge of kind
// start, followed by a path of path kinds that includes every kind in need.
// Within one component, a class with skipIfFound is not searched when a
// class before it with the same edge mask already found a cycle there.
type spec struct {
	name        string
	start, path kind
	need        []kind // at most two
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

func (s spec) full() int32 { return 1<<len(s.need) - 1 }

// specs are searched in order; each yields at most one cycle per component.
var specs = []spec{
	{name: "G0", start: ww, path: ww},
	{name: "G1c", start: wr, path: ww | wr},
	{name: "G-single", start: rw, path: ww | wr},
	{name: "G2-item", start: rw, path: ww | wr | rw, need: []kind{rw}, skipIfFound: true},
	{name: "G0-process", start: proc, path: ww | proc},
	{name: "G1c-process", start: wr, path: ww | wr | proc, need: []kind{proc}},
	{name: "G-single-process", start: rw, path: ww | wr | proc, need: []kind{proc}},
	{name: "G2-item-process", start: rw, path: ww | wr | rw | proc, need: []kind{rw, proc}, skipIfFound: true},
	{name: "G0-realtime", start: rt, path: ww | proc | rt},
	{name: "G1c-realtime", start: wr, path: ww | wr | proc | rt, need: []kind{rt}},
	{name: "G-single-realtime", start: rw, path: ww | wr | proc | rt, need: []kind{rt}},
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
		if err := c.searchClass(s, sp, comps, found[sp.mask()]); err != nil {
			return err
		}
	}
	return nil
}

// searchClass looks for a cycle of class sp in every component.
func (c *checker) searchClass(s *search, sp spec, comps components, found []bool) error {
	budget := c.opts.SearchBudget
	for ci := range comps.list {
		if sp.skipIfFound && found[ci] {
			continue
		}
		steps, txns, err := s.cycle(c, sp, comps, int32(ci), &budget)
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

// cycleAnomaly explains a cycle; its type follows from its edges.
func (c *checker) cycleAnomaly(txns []int32, es []edge) Anomaly {
	a := Anomaly{Type: classify(es)}
	var b strings.Builder
	for i, id := range txns {
		a.Txns = append(a.Txns, c.ref(id))
		st := Step{Kind: es[i].kind.String()}
		if es[i].key >= 0 {
			st.Key = ptr(c.keys[es[i].key].key)
		}
		a.Steps = append(a.Steps, st)
		fmt.Fprintf(&b, "T%d -%s", id, st.Kind)
		if st.Key != nil {
			fmt.Fprintf(&b, "(k%d)", *st.Key)
		}
		b.WriteString("-> ")
	}
	fmt.Fprintf(&b, "T%d", txns[0])
	a.Explanation = b.String()
	return a
}

// classify names a cycle by its edges: the number of anti-dependencies gives
// G0/G1c, G-single or G2-item; real-time or process edges add a suffix.
func classify(es []edge) string {
	var kinds kind
	nrw := 0
	for _, e := range es {
		kinds |= e.kind
		if e.kind == rw {
			nrw++
		}
	}
	name := "G2-item"
	switch {
	case nrw == 1:
		name = "G-single"
	case nrw == 0 && kinds&wr != 0:
		name = "G1c"
	case nrw == 0:
		name = "G0"
	}
	switch {
	case kinds&rt != 0:
		return name + "-realtime"
	case kinds&proc != 0:
		return name + "-process"
	}
	return name
}
