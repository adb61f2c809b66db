package elle

import (
	"math"
	"math/rand/v2"
	"slices"

	"faultline.dev/faultline/history"
)

// genConfig shapes a generated history.
type genConfig struct {
	txns, keys, maxOps int
	// failP and infoP are the probabilities of a failed and of an
	// indeterminate transaction; an indeterminate one takes effect half the time.
	failP, infoP float64
	// finalRead adds a last transaction, after all others, reading every key.
	finalRead bool
	// spread bounds how far invoke and completion lie from a transaction's
	// place in the serial order (places are 10 apart); 0 means 60.
	spread int64
}

// serialHistory executes random list-append transactions one after another
// on an in-memory store, then gives each an invoke/complete interval around
// its place in that serial order: intervals overlap, yet the order is
// consistent with real time, so the history is strict-serializable. A
// process runs one transaction at a time.
func serialHistory(rng *rand.Rand, cfg genConfig) []Txn {
	lists := make(map[int64][]int64, cfg.keys)
	var next int64
	var busy []int64 // per process: time its last transaction completed
	txns := make([]Txn, 0, cfg.txns+1)
	if cfg.spread == 0 {
		cfg.spread = 60
	}
	for i := 0; i < cfg.txns; i++ {
		at := int64(i)*10 + 100
		inv, comp := at-rng.Int64N(cfg.spread), at+rng.Int64N(cfg.spread)
		t := Txn{Invoke: inv, Complete: comp, InvokeIndex: int64(2 * i), CompleteIndex: int64(2*i + 1), Status: history.OK}
		p := slices.IndexFunc(busy, func(until int64) bool { return until < inv })
		if p < 0 {
			p, busy = len(busy), append(busy, 0)
		}
		t.Process, busy[p] = p, comp
		applied := drawOutcome(rng, cfg, &t)
		t.Ops = randomOps(rng, cfg, lists, &next, applied)
		if t.Status != history.OK {
			t.Ops = unread(t.Ops...)
		}
		txns = append(txns, t)
	}
	if cfg.finalRead {
		end := int64(cfg.txns)*10 + 1000
		final := Txn{Process: len(busy), Status: history.OK, Invoke: end, Complete: end + 10, InvokeIndex: -1, CompleteIndex: -1}
		for k := int64(0); k < int64(cfg.keys); k++ {
			final.Ops = append(final.Ops, rd(k, lists[k]...))
		}
		txns = append(txns, final)
	}
	return txns
}

// drawOutcome sets t's status: failed, indeterminate, or (the rest) ok. It
// reports whether t takes effect: an indeterminate one does half the time.
func drawOutcome(rng *rand.Rand, cfg genConfig, t *Txn) bool {
	switch u := rng.Float64(); {
	case u < cfg.failP:
		t.Status = history.Fail
		return false
	case u < cfg.failP+cfg.infoP:
		t.Status = history.Info
		return rng.IntN(2) == 0
	}
	return true
}

// randomOps draws 1..maxOps micro-ops and, when applied, executes them.
// Reads share the store's arrays (capped so they never grow).
func randomOps(rng *rand.Rand, cfg genConfig, lists map[int64][]int64, next *int64, applied bool) []history.MicroOp {
	ops := make([]history.MicroOp, 1+rng.IntN(cfg.maxOps))
	local := map[int64][]int64{} // the transaction's view when not applied
	view := func(k int64) []int64 {
		if applied {
			return lists[k]
		}
		if l, ok := local[k]; ok {
			return l
		}
		return lists[k]
	}
	for i := range ops {
		k := rng.Int64N(int64(cfg.keys))
		if rng.IntN(2) == 0 {
			l := view(k)
			ops[i] = rd(k, l[:len(l):len(l)]...)
			continue
		}
		*next++
		ops[i] = app(k, *next)
		if applied {
			lists[k] = append(lists[k], *next) // readers' slices are capped: never overwritten
		} else {
			local[k] = append(slices.Clip(view(k)), *next)
		}
	}
	return ops
}

// mutation corrupts one read of txns in place; it reports false when no read fits.
type mutation struct {
	name   string
	minLen int
	apply  func(rng *rand.Rand, l []int64) []int64
}

var mutations = []mutation{
	{name: "swap", minLen: 2, apply: func(rng *rand.Rand, l []int64) []int64 {
		i := rng.IntN(len(l) - 1)
		j := i + 1 + rng.IntN(len(l)-1-i)
		l[i], l[j] = l[j], l[i]
		return l
	}},
	{name: "drop-middle", minLen: 3, apply: func(rng *rand.Rand, l []int64) []int64 {
		i := 1 + rng.IntN(len(l)-2)
		return slices.Delete(l, i, i+1)
	}},
	{name: "garbage", minLen: 0, apply: func(rng *rand.Rand, l []int64) []int64 {
		return slices.Insert(l, rng.IntN(len(l)+1), math.MaxInt64-rng.Int64N(1000))
	}},
}

// mutate applies m to one random read of a committed transaction other than
// the last one.
func mutate(rng *rand.Rand, txns []Txn, m mutation) bool {
	type at struct{ t, op int }
	var cands []at
	for ti := range txns[:len(txns)-1] {
		if txns[ti].Status != history.OK {
			continue
		}
		for oi, op := range txns[ti].Ops {
			if op.F == history.MopRead && op.L != nil && len(op.L) >= m.minLen {
				cands = append(cands, at{ti, oi})
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	c := cands[rng.IntN(len(cands))]
	op := &txns[c.t].Ops[c.op]
	op.L = m.apply(rng, slices.Clone(op.L))
	return true
}

// causalHistory commits random list-append transactions one after another
// at two sites, a transaction's site being its process's parity. Each reads
// a snapshot of the transactions before it (see snapshot). A prefix of the
// commit order is a snapshot-isolation snapshot; the others fork, as
// parallel snapshot isolation allows: long forks, never G1 or lost updates.
func causalHistory(rng *rand.Rand, cfg genConfig) []Txn {
	txns := make([]Txn, 0, cfg.txns+1)
	var seen [][]bool // per transaction, those it saw (itself included once committed)
	var next int64
	for i := 0; i < cfg.txns; i++ {
		t := Txn{Process: 2*i + rng.IntN(2), Status: history.OK, Invoke: int64(10 * i), Complete: int64(10*i + 5), InvokeIndex: int64(2 * i), CompleteIndex: int64(2*i + 1)}
		t.Ops = randomShape(rng, cfg, &next)
		sees := snapshot(rng, txns, seen, t)
		applied := drawOutcome(rng, cfg, &t)
		if t.Status == history.OK {
			fillReads(t.Ops, txns, sees)
		} else {
			t.Ops = unread(t.Ops...)
		}
		sees = append(sees, applied)
		txns, seen = append(txns, t), append(seen, sees)
	}
	if cfg.finalRead {
		all := make([]bool, len(txns))
		for i := range txns {
			all[i] = seen[i][i]
		}
		final := Txn{Process: 2 * cfg.txns, Status: history.OK, Invoke: int64(10 * cfg.txns), Complete: int64(10*cfg.txns + 5), InvokeIndex: -1, CompleteIndex: -1}
		for k := int64(0); k < int64(cfg.keys); k++ {
			final.Ops = append(final.Ops, rd(k))
		}
		fillReads(final.Ops, txns, all)
		txns = append(txns, final)
	}
	return txns
}

// snapshot picks the applied transactions t, next after txns, sees: those
// of its site, those of the other site up to a random point (half the time
// none), every one appending to a key t appends to (first committer wins),
// and all that any of those saw (causality).
func snapshot(rng *rand.Rand, txns []Txn, seen [][]bool, t Txn) []bool {
	sees := make([]bool, len(txns))
	remote := rng.IntN(len(txns)+1) * rng.IntN(2)
	for j := len(txns) - 1; j >= 0; j-- {
		if !seen[j][j] || sees[j] {
			continue
		}
		if j < remote || txns[j].Process%2 == t.Process%2 || writesCommonKey(t, txns[j]) {
			for i, s := range seen[j] {
				sees[i] = sees[i] || s
			}
		}
	}
	return sees
}

// fillReads sets each read of ops to the appends of the transactions seen,
// in commit order, followed by the earlier appends of ops.
func fillReads(ops []history.MicroOp, txns []Txn, sees []bool) {
	own := map[int64][]int64{}
	for i, op := range ops {
		if op.F == history.MopAppend {
			own[op.K] = append(own[op.K], op.V)
			continue
		}
		l := []int64{}
		for j, t := range txns {
			if sees[j] {
				l = append(l, appends(t.Ops, op.K)...)
			}
		}
		ops[i].L = append(l, own[op.K]...)
	}
}

// randomShape draws the micro-ops of a transaction, reads not yet filled
// in: a third read every key, the others 1..maxOps random reads and appends.
func randomShape(rng *rand.Rand, cfg genConfig, next *int64) []history.MicroOp {
	if rng.IntN(3) == 0 {
		ops := make([]history.MicroOp, cfg.keys)
		for k := range ops {
			ops[k] = rd(int64(k))
		}
		return ops
	}
	ops := make([]history.MicroOp, 1+rng.IntN(cfg.maxOps))
	for j := range ops {
		ops[j] = rd(rng.Int64N(int64(cfg.keys)))
		if rng.IntN(2) == 0 {
			*next++
			ops[j] = app(ops[j].K, *next)
		}
	}
	return ops
}
