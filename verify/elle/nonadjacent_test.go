package elle

import (
	"slices"
	"testing"
)

// TestNonadjacentStarts: the long fork's rw edges lie on a nonadjacent
// cycle, a write skew's do not (its two rw edges follow each other).
func TestNonadjacentStarts(t *testing.T) {
	writeSkew := []Txn{
		ok(0, 0, 10, rd(x), app(y, 1)),
		ok(1, 0, 10, rd(y), app(x, 1)),
		ok(2, 20, 30, rd(x, 1), rd(y, 1)),
	}
	for _, c := range []struct {
		name string
		txns []Txn
		want bool
	}{{"long fork", longFork(), true}, {"write skew", writeSkew, false}} {
		ch := newChecker(t.Context(), c.txns, Options{}.withDefaults())
		for _, step := range []func() error{ch.index, ch.versions, ch.direct, ch.buildGraph} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		sp := specs[slices.IndexFunc(specs, func(s spec) bool { return s.name == "G-nonadjacent-item" })]
		keep, err := ch.nonadjacentStarts(ch.inGraph, ch.invokeOrder(), sp)
		if err != nil {
			t.Fatal(err)
		}
		rws := 0
		for u := range int32(len(c.txns)) {
			for _, e := range ch.g.out(u) {
				if e.kind != rw {
					continue
				}
				rws++
				if keep(u, e) != c.want {
					t.Errorf("%s: rw edge T%d→T%d kept=%v, want %v", c.name, u, e.to, !c.want, c.want)
				}
			}
		}
		if rws != 2 {
			t.Errorf("%s: %d rw edges, want 2", c.name, rws)
		}
	}
}
