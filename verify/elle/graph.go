package elle

import (
	"cmp"
	"slices"
)

// kind is a dependency edge type; masks combine kinds.
type kind uint8

// Edge kinds.
const (
	ww kind = 1 << iota
	wr
	rw
	proc
	rt
)

const allKinds = ww | wr | rw | proc | rt

func (k kind) String() string {
	switch k {
	case ww:
		return "ww"
	case wr:
		return "wr"
	case rw:
		return "rw"
	case proc:
		return "process"
	case rt:
		return "realtime"
	}
	return "?"
}

// edge is an outgoing edge; key indexes checker.keys (-1 for order edges).
type edge struct {
	to   int32
	key  int32
	kind kind
}

// rawEdge is an edge while the graph is being built.
type rawEdge struct {
	from int32
	edge
}

// graph is a compressed adjacency list: the edges of node v are
// adj[off[v]:off[v+1]], sorted by target and kind, without duplicates.
type graph struct {
	off []int32
	adj []edge
}

// out returns the edges leaving v.
func (g *graph) out(v int32) []edge { return g.adj[g.off[v]:g.off[v+1]] }

// newGraph builds the graph of n nodes from raw edges.
func newGraph(n int, raw []rawEdge) *graph {
	g := &graph{off: make([]int32, n+1), adj: make([]edge, len(raw))}
	for _, e := range raw {
		g.off[e.from+1]++
	}
	for v := 0; v < n; v++ {
		g.off[v+1] += g.off[v]
	}
	fill := slices.Clone(g.off[:n])
	for _, e := range raw {
		g.adj[fill[e.from]] = e.edge
		fill[e.from]++
	}
	kept := int32(0)
	for v := 0; v < n; v++ {
		es := g.adj[g.off[v]:g.off[v+1]]
		slices.SortFunc(es, func(a, b edge) int {
			if a.to != b.to {
				return cmp.Compare(a.to, b.to)
			}
			return cmp.Compare(a.kind, b.kind)
		})
		g.off[v] = kept
		for i, e := range es {
			if i > 0 && e.to == es[i-1].to && e.kind == es[i-1].kind {
				continue
			}
			g.adj[kept] = e
			kept++
		}
	}
	g.off[n] = kept
	g.adj = g.adj[:kept]
	return g
}
