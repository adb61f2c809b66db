package verify

import (
	"math/rand/v2"
	"sort"

	"faultline.dev/faultline/history"
)

// genOp is one generated operation of a concurrent history produced by a
// serial in-memory model: each operation takes effect atomically at its
// point, inside its [call, ret] interval.
type genOp struct {
	p         int
	call, ret int64 // ns; ret is ignored when typ is never
	point     int64
	typ       history.Type
	applied   bool // took effect (ok always, info sometimes, fail never)
	f         string
	in, out   any
}

// schedule lays out n operations over procs concurrent clients: each
// client runs its operations back to back with small gaps, so operations of
// different clients overlap. Outcomes: 80 % ok, 10 % fail, 10 % info (half
// of which took effect); a client's last operation may never complete.
func schedule(rng *rand.Rand, procs, n int) []*genOp {
	next := make([]int64, procs)
	ops := make([]*genOp, 0, n)
	for i := 0; i < n; i++ {
		p := rng.IntN(procs)
		call := next[p] + rng.Int64N(5e6)
		dur := 1 + rng.Int64N(50e6)
		o := &genOp{p: p, call: call, ret: call + dur, point: call + rng.Int64N(dur)}
		next[p] = o.ret
		switch r := rng.IntN(10); {
		case r < 8:
			o.typ, o.applied = history.OK, true
		case r < 9:
			o.typ = history.Fail
		default:
			o.typ, o.applied = history.Info, rng.IntN(2) == 0
		}
		ops = append(ops, o)
	}
	last := map[int]*genOp{}
	for _, o := range ops {
		last[o.p] = o
	}
	for _, o := range last {
		if o.typ == history.Info && rng.IntN(2) == 0 {
			o.typ = never
		}
	}
	return ops
}

// byPoint returns the operations in the order they took effect.
func byPoint(ops []*genOp) []*genOp {
	out := append([]*genOp(nil), ops...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].point < out[j].point })
	return out
}

// toHistory records the operations as invoke/completion events.
func toHistory(ops []*genOp, node func(p int) string) *hist {
	h := &hist{}
	for _, o := range ops {
		n := node(o.p)
		h.ev = append(h.ev, history.Event{Time: o.call, Process: o.p, Type: history.Invoke, F: o.f, Value: raw(o.in), Node: n})
		if o.typ != never {
			out := o.out
			if o.typ != history.OK {
				out = o.in
				if o.f == "read" {
					out = nil
				}
			}
			h.ev = append(h.ev, history.Event{Time: o.ret, Process: o.p, Type: o.typ, F: o.f, Value: raw(out), Node: n})
		}
	}
	return h
}

func nodeOf(p int) string { return []string{"n1", "n2", "n3"}[p%3] }

// genLedger: unique adds; every node's final ledger holds what took effect.
func genLedger(rng *rand.Rand, procs, n int) (*hist, *history.Final, []*genOp) {
	ops := schedule(rng, procs, n)
	var applied []int64
	for i, o := range ops {
		o.f, o.in, o.out = "add", int64(i+1), int64(i+1)
		if o.applied {
			applied = append(applied, int64(i+1))
		}
	}
	nodes := map[string][]int64{}
	for _, name := range []string{"n1", "n2", "n3"} {
		vals := append([]int64(nil), applied...)
		rng.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
		nodes[name] = vals
	}
	return toHistory(ops, nodeOf), ledgerFinal(nodes), ops
}

// genBank: transfers between accounts; a transfer that would overdraw fails.
func genBank(rng *rand.Rand, procs, n, accounts int, initial int64) (*hist, *history.Final) {
	ops := schedule(rng, procs, n)
	for _, o := range ops {
		if rng.IntN(2) == 0 {
			o.f = "read"
			continue
		}
		from := rng.Int64N(int64(accounts))
		o.f, o.in = "transfer", history.Transfer{From: from, To: (from + 1 + rng.Int64N(int64(accounts-1))) % int64(accounts),
			Amount: 1 + rng.Int64N(initial/2)}
	}
	bal := make([]int64, accounts)
	for i := range bal {
		bal[i] = initial
	}
	for _, o := range byPoint(ops) {
		if o.f == "read" {
			o.out = history.BankRead{Balances: append([]int64(nil), bal...)}
			if o.typ == history.Fail {
				o.applied = false
			}
			continue
		}
		tr := o.in.(history.Transfer)
		if !o.applied {
			continue
		}
		if bal[tr.From] < tr.Amount {
			o.typ, o.applied = history.Fail, false
			continue
		}
		bal[tr.From] -= tr.Amount
		bal[tr.To] += tr.Amount
	}
	final := map[int64]int64{}
	for i, b := range bal {
		final[int64(i)] = b
	}
	return toHistory(ops, nodeOf), bankFinal(final, final, final)
}

// genRegister: reads, writes and compare-and-sets over a few keys.
func genRegister(rng *rand.Rand, procs, n, keys int) *hist {
	ops := schedule(rng, procs, n)
	for _, o := range ops {
		k := rng.Int64N(int64(keys))
		switch rng.IntN(3) {
		case 0:
			o.f, o.in = "read", history.RegisterOp{K: k}
		case 1:
			o.f, o.in = "write", history.RegisterOp{K: k, V: i64(rng.Int64N(5))}
		default:
			o.f, o.in = "cas", history.RegisterOp{K: k, Old: i64(rng.Int64N(5)), New: i64(rng.Int64N(5))}
		}
	}
	state := map[int64]*int64{}
	for _, o := range byPoint(ops) {
		in := o.in.(history.RegisterOp)
		o.out = in
		switch o.f {
		case "read":
			o.out = history.RegisterOp{K: in.K, V: state[in.K]}
		case "write":
			if o.applied {
				state[in.K] = in.V
			}
		case "cas":
			cur := state[in.K]
			matches := cur != nil && *cur == *in.Old
			if o.typ == history.OK && !matches {
				o.typ, o.applied = history.Fail, false
			}
			if o.applied && matches {
				state[in.K] = in.New
			}
		}
	}
	return toHistory(ops, nodeOf)
}
