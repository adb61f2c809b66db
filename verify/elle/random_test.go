package elle

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

const randomSeeds = 300

func TestRandomSerialHistoriesAreStrictSerializable(t *testing.T) {
	for seed := uint64(0); seed < randomSeeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		cfg := genConfig{txns: 5 + rng.IntN(200), keys: 1 + rng.IntN(8), maxOps: 1 + rng.IntN(5),
			failP: 0.05, infoP: 0.05, finalRead: rng.IntN(2) == 0}
		txns := serialHistory(rng, cfg)
		if r := Check(txns, Options{Model: StrictSerializable}); r.Status != Valid {
			t.Fatalf("seed %d: %s under strict-serializable, want valid: %v\n%+v", seed, r.Status, r.Counts, r.Anomalies)
		}
	}
}

func TestRandomMutationsAreInvalid(t *testing.T) {
	for seed := uint64(0); seed < randomSeeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2))
		cfg := genConfig{txns: 5 + rng.IntN(100), keys: 1 + rng.IntN(4), maxOps: 1 + rng.IntN(5),
			failP: 0.05, infoP: 0.05, finalRead: true}
		txns := serialHistory(rng, cfg)
		m := mutations[rng.IntN(len(mutations))]
		if !mutate(rng, txns, m) {
			continue
		}
		for _, model := range []string{ReadUncommitted, StrictSerializable} {
			if r := Check(txns, Options{Model: model}); r.Status != Invalid {
				t.Fatalf("seed %d, mutation %s: %s under %s, want invalid", seed, m.name, r.Status, model)
			}
		}
	}
}

// TestBruteForceAgreement compares the serializable verdict with a search of
// every serial order on tiny histories. Stale or future reads are planted
// by replacing reads with other prefixes of the key's final list. With a
// final transaction reading every key, every version order is known and
// the two must agree exactly.
func TestBruteForceAgreement(t *testing.T) {
	var valid, invalid, strictOnly int
	for seed := uint64(0); seed < 2000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		cfg := genConfig{txns: 1 + rng.IntN(5), keys: 1 + rng.IntN(2), maxOps: 1 + rng.IntN(3), failP: 0.1, infoP: 0.1, finalRead: true, spread: 1 + rng.Int64N(20)}
		txns := serialHistory(rng, cfg)
		plantStaleReads(rng, txns)
		want := serialOrderExists(txns, false)
		r := Check(txns, Options{Model: Serializable})
		if got := r.Status == Valid; got != want {
			t.Fatalf("seed %d: checker %s (%v), brute force valid=%v\n%s", seed, r.Status, r.Counts, want, dump(txns))
		}
		wantStrict := serialOrderExists(txns, true)
		r = Check(txns, Options{Model: StrictSerializable})
		if got := r.Status == Valid; got != wantStrict {
			t.Fatalf("seed %d: strict: checker %s (%v), brute force valid=%v\n%s", seed, r.Status, r.Counts, wantStrict, dump(txns))
		}
		// Without the final read some version orders are unknown: the
		// checker may miss anomalies, but what it reports must be real.
		partial := txns[:len(txns)-1]
		if r := Check(partial, Options{Model: Serializable}); r.Status == Invalid && serialOrderExists(partial, false) {
			t.Fatalf("seed %d: checker invalid (%v) without the final read, but a serial order exists\n%s", seed, r.Counts, dump(partial))
		}
		if want && !wantStrict {
			strictOnly++
		}
		if want {
			valid++
		} else {
			invalid++
		}
	}
	if valid == 0 || invalid == 0 || strictOnly == 0 {
		t.Fatalf("degenerate sample: %d valid, %d invalid, %d invalid only in real time", valid, invalid, strictOnly)
	}
	t.Logf("serializable: %d valid, %d invalid; %d of the valid violate real time", valid, invalid, strictOnly)
}

// plantStaleReads replaces some reads (not the final transaction's) with a
// random prefix of the key's final list.
func plantStaleReads(rng *rand.Rand, txns []Txn) {
	final := txns[len(txns)-1]
	for ti := range txns[:len(txns)-1] {
		for oi, op := range txns[ti].Ops {
			if op.F != history.MopRead || op.L == nil || rng.IntN(2) != 0 {
				continue
			}
			full := final.Ops[op.K].L
			txns[ti].Ops[oi].L = slices.Clone(full[:rng.IntN(len(full)+1)])
		}
	}
}

// serialOrderExists tries every order of the committed transactions, with
// every subset of the indeterminate ones; realtime orders must also respect
// real time (a transaction that completed before another was invoked comes
// first).
func serialOrderExists(txns []Txn, realtime bool) bool {
	return someSubset(txns, func(ts []Txn) bool { return permute(ts, 0, realtime) })
}

// someSubset reports whether explained holds for the committed
// transactions with some subset of the indeterminate ones.
func someSubset(txns []Txn, explained func(ts []Txn) bool) bool {
	var committed, maybe []Txn
	for _, t := range txns {
		switch t.Status {
		case history.OK:
			committed = append(committed, t)
		case history.Info:
			maybe = append(maybe, t)
		}
	}
	for subset := 0; subset < 1<<len(maybe); subset++ {
		ts := slices.Clone(committed)
		for i, t := range maybe {
			if subset&(1<<i) != 0 {
				ts = append(ts, t)
			}
		}
		if explained(ts) {
			return true
		}
	}
	return false
}

func permute(ts []Txn, i int, realtime bool) bool {
	if i == len(ts) {
		return explains(ts) && (!realtime || inRealTimeOrder(ts))
	}
	for j := i; j < len(ts); j++ {
		ts[i], ts[j] = ts[j], ts[i]
		found := permute(ts, i+1, realtime)
		ts[i], ts[j] = ts[j], ts[i]
		if found {
			return true
		}
	}
	return false
}

// inRealTimeOrder reports whether no transaction precedes one that
// completed before it was invoked.
func inRealTimeOrder(ts []Txn) bool {
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			if ts[j].Status == history.OK && ts[j].Complete < ts[i].Invoke {
				return false
			}
		}
	}
	return true
}

// explains runs ts one after another and checks every read.
func explains(ts []Txn) bool {
	lists := map[int64][]int64{}
	for _, t := range ts {
		for _, op := range t.Ops {
			switch {
			case op.F == history.MopAppend:
				lists[op.K] = append(slices.Clip(lists[op.K]), op.V)
			case op.L != nil && !slices.Equal(op.L, lists[op.K]):
				return false
			}
		}
	}
	return true
}

func dump(txns []Txn) string {
	var s string
	for i, t := range txns {
		s += fmtTxn(i, t) + "\n"
	}
	return s
}

func fmtTxn(i int, t Txn) string {
	ops, _ := json.Marshal(t.Ops)
	return fmt.Sprintf("T%d p%d %s [%d,%d] %s", i, t.Process, t.Status, t.Invoke, t.Complete, ops)
}
