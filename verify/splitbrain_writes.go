package verify

import "faultline.dev/faultline/history"

// writeSplit is a pair of nodes that both acknowledged writes the other never
// received, at overlapping times: node A holds x but not y, node B holds y
// but not x.
type writeSplit struct {
	A      string `json:"a"`
	B      string `json:"b"`
	AOnly  int    `json:"aOnly"` // acknowledged on A, held by A, absent from B
	BOnly  int    `json:"bOnly"`
	AFirst int64  `json:"aFirst"` // ack times of the A-only writes
	ALast  int64  `json:"aLast"`
	BFirst int64  `json:"bFirst"`
	BLast  int64  `json:"bLast"`
	X      int64  `json:"x"` // an A-only value
	Y      int64  `json:"y"` // a B-only value
}

type writeAngle struct {
	Evaluated bool         `json:"evaluated"`
	Splits    []writeSplit `json:"splits,omitempty"`
	// Diverged lists pairs with exclusive writes on both sides whose
	// acknowledgements did not overlap in time (a fork after a failover).
	Diverged []writeSplit `json:"diverged,omitempty"`
	Note     string       `json:"note,omitempty"`
}

// exclusive is the span of writes acknowledged by one node, held by it and
// absent from another.
type exclusive struct {
	n           int
	first, last int64
	sample      int64
}

func (e *exclusive) add(t, v int64) {
	if e.n == 0 {
		e.first, e.last, e.sample = t, t, v
	}
	e.n++
	e.first, e.last = min(e.first, t), max(e.last, t)
}

// checkWrites compares, for every pair of reachable nodes, the acknowledged
// ledger writes each accepted that the other does not hold.
func checkWrites(idx *ledgerIndex) writeAngle {
	if idx == nil || len(idx.nodes) < 2 {
		return writeAngle{Note: "needs the final ledger of at least two reachable nodes"}
	}
	pos := map[string]int{}
	for j, n := range idx.nodes {
		pos[n.name] = j
	}
	k := len(idx.nodes)
	ex := make([]exclusive, k*k) // ex[a*k+b]: acknowledged by a, held by a, absent from b
	s := idx.ops
	for i, a := range idx.adds {
		o := s.ops[a.op]
		if s.typ(o) != history.OK {
			continue
		}
		j, ok := pos[s.node(o)]
		if !ok || !idx.nodes[j].present.get(i) {
			continue
		}
		for b := range idx.nodes {
			if b != j && !idx.nodes[b].present.get(i) {
				ex[j*k+b].add(s.ret(o), a.v)
			}
		}
	}
	return pairSplits(idx, ex)
}

func pairSplits(idx *ledgerIndex, ex []exclusive) writeAngle {
	w := writeAngle{Evaluated: true}
	k := len(idx.nodes)
	for a := 0; a < k; a++ {
		for b := a + 1; b < k; b++ {
			ab, ba := ex[a*k+b], ex[b*k+a]
			if ab.n == 0 || ba.n == 0 {
				continue
			}
			sp := writeSplit{A: idx.nodes[a].name, B: idx.nodes[b].name, AOnly: ab.n, BOnly: ba.n,
				AFirst: ab.first, ALast: ab.last, BFirst: ba.first, BLast: ba.last, X: ab.sample, Y: ba.sample}
			if max(ab.first, ba.first) <= min(ab.last, ba.last) {
				w.Splits = append(w.Splits, sp)
			} else {
				w.Diverged = append(w.Diverged, sp)
			}
		}
	}
	return w
}
