package elle

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

// TestBruteForceSnapshotIsolation compares the snapshot-isolation verdict
// with a search of every snapshot-isolation execution on tiny histories:
// serial ones with planted stale or future reads, and forking ones where
// transactions read snapshots that are not prefixes of the commit order
// (long forks). With a final transaction reading every key the two must
// agree exactly; without it, what the checker reports must be real.
func TestBruteForceSnapshotIsolation(t *testing.T) {
	var valid, invalid, siOnly, nonadjacent int
	for seed := uint64(0); seed < 3000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 4))
		txns := siHistory(rng, seed%2 == 0)
		want := snapshotExecutionExists(txns)
		r := Check(txns, Options{Model: SnapshotIsolation})
		if got := r.Status == Valid; got != want {
			t.Fatalf("seed %d: checker %s (%v), brute force snapshot-isolation valid=%v\n%s", seed, r.Status, r.Counts, want, dump(txns))
		}
		partial := txns[:len(txns)-1]
		if r := Check(partial, Options{Model: SnapshotIsolation}); r.Status == Invalid && snapshotExecutionExists(partial) {
			t.Fatalf("seed %d: checker invalid (%v) without the final read, but a snapshot-isolation execution exists\n%s", seed, r.Counts, dump(partial))
		}
		switch {
		case want && !serialOrderExists(txns, false):
			siOnly++
		case !want && slices.Equal(r.Violations, []string{"G-nonadjacent-item"}):
			nonadjacent++
		}
		if want {
			valid++
		} else {
			invalid++
		}
	}
	if valid == 0 || invalid == 0 || siOnly == 0 || nonadjacent == 0 {
		t.Fatalf("degenerate sample: %d valid (%d not serializable), %d invalid (%d only by G-nonadjacent-item)", valid, siOnly, invalid, nonadjacent)
	}
	t.Logf("snapshot isolation: %d valid, %d of them not serializable; %d invalid, %d only by G-nonadjacent-item", valid, siOnly, invalid, nonadjacent)
}

// siHistory draws a tiny history ending with a read of every key: serial
// with planted stale reads, or forking.
func siHistory(rng *rand.Rand, serial bool) []Txn {
	if serial {
		cfg := genConfig{txns: 2 + rng.IntN(5), keys: 2 + rng.IntN(2), maxOps: 1 + rng.IntN(3), failP: 0.05, infoP: 0.05, finalRead: true, spread: 1 + rng.Int64N(20)}
		txns := serialHistory(rng, cfg)
		plantStaleReads(rng, txns)
		return txns
	}
	return causalHistory(rng, genConfig{txns: 4 + rng.IntN(4), keys: 2 + rng.IntN(2), maxOps: 2 + rng.IntN(3), failP: 0.05, infoP: 0.05, finalRead: true})
}

// snapshotExecutionExists reports whether the committed transactions, with
// some subset of the indeterminate ones, can be put in a commit order in
// which each reads a snapshot: the state committed by a prefix of that
// order, plus its own earlier appends. A transaction appending to a key
// must see every earlier transaction that appended to it (first committer
// wins), so each key's list is its writers' appends in commit order.
func snapshotExecutionExists(txns []Txn) bool {
	return someSubset(txns, func(ts []Txn) bool {
		s := siSearch{ts: ts, states: make([]map[int64][]int64, len(ts)+1)}
		s.states[0] = map[int64][]int64{}
		return s.place(0)
	})
}

// siSearch builds commit orders one transaction at a time: ts[:i] are
// placed, states[r] is the state committed by ts[:r].
type siSearch struct {
	ts     []Txn
	states []map[int64][]int64
}

func (s *siSearch) place(i int) bool {
	if i == len(s.ts) {
		return true
	}
	for j := i; j < len(s.ts); j++ {
		s.ts[i], s.ts[j] = s.ts[j], s.ts[i]
		found := false
		if s.fits(i) {
			s.commit(i)
			found = s.place(i + 1)
		}
		s.ts[i], s.ts[j] = s.ts[j], s.ts[i]
		if found {
			return true
		}
	}
	return false
}

// fits reports whether ts[r], committing r-th, has a snapshot explaining
// its reads that holds every earlier writer of the keys it appends to.
func (s *siSearch) fits(r int) bool {
	t := s.ts[r]
	lo := 0
	for w := range s.ts[:r] {
		if writesCommonKey(t, s.ts[w]) {
			lo = w + 1
		}
	}
	for snap := lo; snap <= r; snap++ {
		if readsSnapshot(t, s.states[snap]) {
			return true
		}
	}
	return false
}

// commit records the state after ts[r].
func (s *siSearch) commit(r int) {
	next := maps.Clone(s.states[r])
	for _, op := range s.ts[r].Ops {
		if op.F == history.MopAppend {
			next[op.K] = append(slices.Clip(next[op.K]), op.V)
		}
	}
	s.states[r+1] = next
}

func writesCommonKey(a, b Txn) bool {
	for _, op := range a.Ops {
		if op.F == history.MopAppend && appendsTo(b.Ops, op.K) {
			return true
		}
	}
	return false
}

// readsSnapshot reports whether every known read of t equals snap's list
// followed by t's own earlier appends to the key.
func readsSnapshot(t Txn, snap map[int64][]int64) bool {
	own := map[int64][]int64{}
	for _, op := range t.Ops {
		switch {
		case op.F == history.MopAppend:
			own[op.K] = append(own[op.K], op.V)
		case op.L != nil && !slices.Equal(op.L, slices.Concat(snap[op.K], own[op.K])):
			return false
		}
	}
	return true
}
