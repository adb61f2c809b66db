package elle

// components is a decomposition of (part of) the graph into strongly
// connected components with at least two nodes.
type components struct {
	list [][]int32
	of   []int32 // component of each node; -1 when in none
}

// tarjan holds the state of an iterative Tarjan search. With sep set it
// searches states instead of nodes (see stateSCCs); shift is then 1.
type tarjan struct {
	g       *graph
	mask    kind
	sep     kind
	shift   uint
	in      []bool
	index   []int32 // 0 = unvisited, else 1 + visit order
	low     []int32
	onStack []bool
	stack   []int32
	call    []tarjanFrame
	counter int32
	out     components
}

type tarjanFrame struct {
	v  int32
	ei int32
}

// sccs decomposes the subgraph induced by the nodes with in[v] and the edges
// whose kind is in mask, starting from roots. tick is called once per node.
func (g *graph) sccs(in []bool, roots []int32, mask kind, tick func() error) (components, error) {
	return g.decompose(&tarjan{g: g, mask: mask, in: in}, roots, tick)
}

// stateSCCs decomposes, like sccs, the graph of states 2v (the last edge was
// not of kind sep) and 2v+1 (it was): an edge u→v of kind sep leads from 2u
// to 2v+1 only, any other edge from both states of u to 2v. Its cycles are
// the closed walks with no two consecutive edges of kind sep.
func (g *graph) stateSCCs(in []bool, roots []int32, mask, sep kind, tick func() error) (components, error) {
	return g.decompose(&tarjan{g: g, mask: mask, sep: sep, shift: 1, in: in}, roots, tick)
}

func (g *graph) decompose(t *tarjan, roots []int32, tick func() error) (components, error) {
	n := (len(g.off) - 1) << t.shift
	t.index, t.low, t.onStack = make([]int32, n), make([]int32, n), make([]bool, n)
	t.out = components{of: make([]int32, n)}
	for i := range t.out.of {
		t.out.of[i] = -1
	}
	for _, r := range roots {
		for v := r << t.shift; v < (r+1)<<t.shift; v++ {
			if t.index[v] != 0 || !t.in[r] {
				continue
			}
			if err := t.run(v, tick); err != nil {
				return components{}, err
			}
		}
	}
	return t.out, nil
}

func (t *tarjan) push(v int32) {
	t.counter++
	t.index[v], t.low[v] = t.counter, t.counter
	t.stack = append(t.stack, v)
	t.onStack[v] = true
	t.call = append(t.call, tarjanFrame{v: v, ei: t.g.off[v>>t.shift]})
}

func (t *tarjan) run(root int32, tick func() error) error {
	t.push(root)
	for len(t.call) > 0 {
		f := &t.call[len(t.call)-1]
		v := f.v
		if w, ok := t.advance(f); ok {
			if err := tick(); err != nil {
				return err
			}
			t.push(w)
			continue
		}
		if t.low[v] == t.index[v] {
			t.pop(v)
		}
		t.call = t.call[:len(t.call)-1]
		if len(t.call) > 0 {
			u := t.call[len(t.call)-1].v
			t.low[u] = min(t.low[u], t.low[v])
		}
	}
	return nil
}

// advance scans f's remaining edges and returns an unvisited successor.
func (t *tarjan) advance(f *tarjanFrame) (int32, bool) {
	if t.sep != 0 {
		return t.advanceState(f)
	}
	end := t.g.off[f.v+1]
	for f.ei < end {
		e := t.g.adj[f.ei]
		f.ei++
		if e.kind&t.mask == 0 || !t.in[e.to] {
			continue
		}
		if t.visit(f.v, e.to) {
			return e.to, true
		}
	}
	return 0, false
}

// advanceState is advance over the states of stateSCCs.
func (t *tarjan) advanceState(f *tarjanFrame) (int32, bool) {
	end := t.g.off[f.v>>1+1]
	for f.ei < end {
		e := t.g.adj[f.ei]
		f.ei++
		if e.kind&t.mask == 0 || !t.in[e.to] || e.kind == t.sep && f.v&1 != 0 {
			continue
		}
		w := 2 * e.to
		if e.kind == t.sep {
			w++
		}
		if t.visit(f.v, w) {
			return w, true
		}
	}
	return 0, false
}

// visit reports whether w is unvisited, otherwise lowering v's link to w
// when w is on the stack.
func (t *tarjan) visit(v, w int32) bool {
	if t.index[w] == 0 {
		return true
	}
	if t.onStack[w] {
		t.low[v] = min(t.low[v], t.index[w])
	}
	return false
}

// pop removes v's component from the stack, keeping it if it has two nodes
// or more.
func (t *tarjan) pop(v int32) {
	i := len(t.stack) - 1
	for t.stack[i] != v {
		i--
	}
	comp := t.stack[i:]
	t.stack = t.stack[:i]
	for _, w := range comp {
		t.onStack[w] = false
	}
	if len(comp) < 2 {
		return
	}
	id := int32(len(t.out.list))
	kept := make([]int32, len(comp))
	copy(kept, comp)
	for _, w := range kept {
		t.out.of[w] = id
	}
	t.out.list = append(t.out.list, kept)
}
