package elle

import (
	"fmt"
	"slices"
	"strings"

	"faultline.dev/faultline/history"
)

// shape is what names a cycle: its edge kinds, its anti-dependencies and
// whether two of them are adjacent (the last edge is adjacent to the first).
type shape struct {
	kinds    kind
	rws      int
	adjacent bool
}

func shapeOf(es []edge) shape {
	var sh shape
	for i, e := range es {
		sh.kinds |= e.kind
		if e.kind == rw {
			sh.rws++
			sh.adjacent = sh.adjacent || es[(i+1)%len(es)].kind == rw
		}
	}
	return sh
}

// classify names a cycle by its edges: anti-dependencies (rw) give G0/G1c
// (none), G-single (one), G-nonadjacent-item (more, no two adjacent) or
// G2-item (two adjacent); real-time or process edges add a suffix.
func classify(es []edge) string {
	sh := shapeOf(es)
	return sh.base() + sh.suffix()
}

func (sh shape) base() string {
	switch {
	case sh.rws == 1:
		return "G-single"
	case sh.rws > 1 && !sh.adjacent:
		return "G-nonadjacent-item"
	case sh.rws > 1:
		return "G2-item"
	case sh.kinds&wr != 0:
		return "G1c"
	}
	return "G0"
}

func (sh shape) suffix() string {
	switch {
	case sh.kinds&rt != 0:
		return "-realtime"
	case sh.kinds&proc != 0:
		return "-process"
	}
	return ""
}

// reason says why the cycle is of its class.
func (sh shape) reason() string {
	var s string
	switch {
	case sh.rws == 1:
		s = "exactly one anti-dependency (rw)"
	case sh.rws > 1 && !sh.adjacent:
		s = fmt.Sprintf("%d anti-dependencies (rw), no two adjacent", sh.rws)
	case sh.rws > 1:
		s = fmt.Sprintf("%d anti-dependencies (rw), two of them adjacent", sh.rws)
	case sh.kinds&wr != 0:
		s = "write-read dependencies (wr), no anti-dependency"
	default:
		s = "write-write dependencies (ww) only"
	}
	switch sh.suffix() {
	case "-realtime":
		s += ", through real-time order"
	case "-process":
		s += ", through process order"
	}
	return s
}

// cycleAnomaly explains a cycle: each edge with its kind and the
// observation behind it; its type follows from its edges.
func (c *checker) cycleAnomaly(txns []int32, es []edge) Anomaly {
	sh := shapeOf(es)
	a := Anomaly{Type: sh.base() + sh.suffix()}
	var chain strings.Builder
	whys := make([]string, len(txns))
	for i, id := range txns {
		to := txns[(i+1)%len(txns)]
		a.Txns = append(a.Txns, c.ref(id))
		st := Step{Kind: es[i].kind.String(), Why: c.why(id, to, es[i])}
		if es[i].key >= 0 {
			st.Key = ptr(c.keys[es[i].key].key)
		}
		a.Steps = append(a.Steps, st)
		fmt.Fprintf(&chain, "T%d -%s", id, st.Kind)
		if st.Key != nil {
			fmt.Fprintf(&chain, "(k%d)", *st.Key)
		}
		chain.WriteString("-> ")
		whys[i] = st.Why
	}
	fmt.Fprintf(&chain, "T%d: %s. %s.", txns[0], sh.reason(), strings.Join(whys, "; "))
	a.Explanation = chain.String()
	return a
}

// why says what observation gives edge e from transaction from to to.
func (c *checker) why(from, to int32, e edge) string {
	a, b := &c.txns[from], &c.txns[to]
	switch e.kind {
	case proc:
		return fmt.Sprintf("process %d ran T%d, then T%d", a.Process, from, to)
	case rt:
		return fmt.Sprintf("T%d completed (at %d) before T%d was invoked (at %d)", from, a.Complete, to, b.Invoke)
	}
	ks := c.keys[e.key]
	switch e.kind {
	case ww:
		return c.whyWW(from, to, ks)
	case wr:
		for _, op := range reads(b.Ops, ks.key) {
			for _, v := range slices.Backward(op.L) {
				if w, ok := ks.writes[v]; ok && w.txn == from {
					return fmt.Sprintf("T%d read key %d = %s, holding T%d's append of %d", to, ks.key, short(op.L), from, v)
				}
			}
		}
	case rw:
		for _, op := range reads(a.Ops, ks.key) {
			for _, v := range appends(b.Ops, ks.key) {
				if !slices.Contains(op.L, v) {
					return fmt.Sprintf("T%d read key %d = %s, missing T%d's append of %d", from, ks.key, short(op.L), to, v)
				}
			}
		}
	}
	return fmt.Sprintf("%s on key %d", e.kind, ks.key) // fallback: every data edge has its observation
}

// whyWW explains a write-write edge by the version order of ks: an append
// of from before one of to, or an append of to that no read observed.
func (c *checker) whyWW(from, to int32, ks *keyState) string {
	last := -1 // position of from's latest append so far
	for i, w := range ks.writer {
		switch {
		case w == from:
			last = i
		case w == to && last >= 0:
			return fmt.Sprintf("key %d's version order %s has T%d's append of %d before T%d's of %d",
				ks.key, short(ks.order), from, ks.order[last], to, ks.order[i])
		}
	}
	for _, v := range appends(c.txns[to].Ops, ks.key) {
		if _, seen := ks.pos[v]; !seen && last >= 0 {
			return fmt.Sprintf("T%d's append of %d to key %d, which no read observed, follows every observed one, T%d's %d among them",
				to, v, ks.key, from, ks.order[last])
		}
	}
	return fmt.Sprintf("ww on key %d", ks.key)
}

// reads returns the known reads of key k among ops.
func reads(ops []history.MicroOp, k int64) []history.MicroOp {
	var out []history.MicroOp
	for _, op := range ops {
		if op.F == history.MopRead && op.K == k && op.L != nil {
			out = append(out, op)
		}
	}
	return out
}

// appends returns the values ops append to key k.
func appends(ops []history.MicroOp, k int64) []int64 {
	var out []int64
	for _, op := range ops {
		if op.F == history.MopAppend && op.K == k {
			out = append(out, op.V)
		}
	}
	return out
}
