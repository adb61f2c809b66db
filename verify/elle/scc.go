package elle

// components is a decomposition of (part of) the graph into strongly
// connected components with at least two nodes.
type components struct {
	list [][]int32
	of   []int32 // component of each node; -1 when in none
}

// tarjan holds the state of an iterative Tarjan search.
type tarjan struct {
	g       *graph
	mask    kind
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
	n := len(g.off) - 1
	t := &tarjan{g: g, mask: mask, in: in, index: make([]int32, n), low: make([]int32, n),
		onStack: make([]bool, n), out: components{of: make([]int32, n)}}
	for i := range t.out.of {
		t.out.of[i] = -1
	}
	for _, r := range roots {
		if t.index[r] != 0 || !in[r] {
			continue
		}
		if err := t.run(r, tick); err != nil {
			return components{}, err
		}
	}
	return t.out, nil
}

func (t *tarjan) push(v int32) {
	t.counter++
	t.index[v], t.low[v] = t.counter, t.counter
	t.stack = append(t.stack, v)
	t.onStack[v] = true
	t.call = append(t.call, tarjanFrame{v: v, ei: t.g.off[v]})
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
	end := t.g.off[f.v+1]
	for f.ei < end {
		e := t.g.adj[f.ei]
		f.ei++
		if e.kind&t.mask == 0 || !t.in[e.to] {
			continue
		}
		if t.index[e.to] == 0 {
			return e.to, true
		}
		if t.onStack[e.to] {
			t.low[f.v] = min(t.low[f.v], t.index[e.to])
		}
	}
	return 0, false
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
