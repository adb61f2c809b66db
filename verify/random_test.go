package verify

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

const seeds = 40

func rngFor(seed int) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0x5eed)) }

func okValues(events []history.Event, f string) []int64 {
	var out []int64
	for _, e := range events {
		if e.Type == history.OK && e.F == f {
			v, _ := parseInt64(e.Value)
			out = append(out, v)
		}
	}
	return out
}

func ledgerStatus(t *testing.T, ev []history.Event, f *history.Final) (Verdict, *ledgerClasses) {
	t.Helper()
	in := &Input{Events: ev, Final: f}
	v := LostWrites{}.Check(context.Background(), in)
	return v, classify(in.ledger())
}

func lostSet(cl *ledgerClasses) map[int64]bool {
	out := map[int64]bool{}
	for _, l := range cl.allLost {
		out[l.Value] = true
	}
	return out
}

// Histories produced by the serial set model are always valid; dropping one
// acknowledged value from the final state, or adding one never attempted,
// always makes them invalid — and the naive reference agrees.
func TestRandomLedgerValidThenMutated(t *testing.T) {
	for seed := 0; seed < seeds; seed++ {
		rng := rngFor(seed)
		h, f, _ := genLedger(rng, 1+rng.IntN(6), 1+rng.IntN(60))
		ev := h.events()
		in := &Input{Events: ev, Final: f}
		for _, c := range []Checker{LostWrites{}, SplitBrain{}, Convergence{}} {
			if v := c.Check(context.Background(), in); v.Status != Valid {
				t.Fatalf("seed %d: %s %s: %s", seed, c.Name(), v.Status, v.Summary)
			}
		}
		acked := okValues(ev, "add")
		if len(acked) == 0 {
			continue
		}
		drop := acked[rng.IntN(len(acked))]
		dropped := cloneFinal(f)
		for i := range dropped.Nodes {
			dropped.Nodes[i].Ledger = slices.DeleteFunc(dropped.Nodes[i].Ledger, func(v int64) bool { return v == drop })
		}
		v, cl := ledgerStatus(t, ev, dropped)
		refLost, _ := refLedger(ev, dropped, []string{"n1", "n2", "n3"})
		if v.Status != Invalid || !maps.Equal(lostSet(cl), map[int64]bool{drop: true}) || !maps.Equal(refLost, lostSet(cl)) {
			t.Fatalf("seed %d: dropping %d: %s, lost %v, reference %v", seed, drop, v.Status, lostSet(cl), refLost)
		}
		extra := cloneFinal(f)
		node := rng.IntN(3)
		extra.Nodes[node].Ledger = append(extra.Nodes[node].Ledger, math.MaxInt32+rng.Int64N(1000))
		v, cl = ledgerStatus(t, ev, extra)
		if v.Status != Invalid || cl.UnexpectedCount != 1 {
			t.Fatalf("seed %d: extra value: %s, %d unexpected", seed, v.Status, cl.UnexpectedCount)
		}
	}
}

func cloneFinal(f *history.Final) *history.Final {
	c := *f
	c.Nodes = slices.Clone(f.Nodes)
	for i := range c.Nodes {
		c.Nodes[i].Ledger = slices.Clone(f.Nodes[i].Ledger)
	}
	return &c
}

// Random final states (values dropped from or added to random nodes, with
// or without a probed primary): the checker and the naive reference find
// the same lost and unexpected values.
func TestLedgerAgreesWithReference(t *testing.T) {
	for seed := 0; seed < 200; seed++ {
		rng := rngFor(1000 + seed)
		h, f, _ := genLedger(rng, 1+rng.IntN(4), 1+rng.IntN(25))
		auth := []string{"n1", "n2", "n3"}
		if rng.IntN(2) == 0 {
			h.round(float64(h.ev[len(h.ev)-1].Time)/1e9+1, writable("n1"), replica("n2"), replica("n3"))
			auth = []string{"n1"}
		}
		for i := range f.Nodes {
			n := &f.Nodes[i]
			n.Ledger = slices.DeleteFunc(n.Ledger, func(int64) bool { return rng.IntN(8) == 0 })
			for rng.IntN(4) == 0 {
				n.Ledger = append(n.Ledger, int64(rng.IntN(40)))
			}
		}
		ev := h.events()
		_, cl := ledgerStatus(t, ev, f)
		refLost, refUnexpected := refLedger(ev, f, auth)
		got := map[int64]bool{}
		for _, u := range cl.Unexpected {
			got[u.Value] = true
		}
		if !maps.Equal(lostSet(cl), refLost) || !maps.Equal(got, refUnexpected) || cl.UnexpectedCount != len(refUnexpected) {
			t.Fatalf("seed %d: lost %v want %v; unexpected %v want %v", seed, lostSet(cl), refLost, got, refUnexpected)
		}
	}
}

func TestRandomBankValidThenMutated(t *testing.T) {
	for seed := 0; seed < seeds; seed++ {
		rng := rngFor(seed)
		h, f := genBank(rng, 1+rng.IntN(6), 1+rng.IntN(80), 5, 100)
		ev := h.events()
		in := &Input{Events: ev, Final: f, BankTotal: 500}
		if v := (Bank{}).Check(context.Background(), in); v.Status != Valid {
			t.Fatalf("seed %d: %s: %s", seed, v.Status, v.Summary)
		}
		reads := okIndexes(ev, "read")
		if len(reads) == 0 {
			continue
		}
		i := reads[rng.IntN(len(reads))]
		var r history.BankRead
		if err := json.Unmarshal(ev[i].Value, &r); err != nil {
			t.Fatal(err)
		}
		r.Balances[rng.IntN(len(r.Balances))] += 1 + rng.Int64N(10)
		ev[i].Value = raw(r)
		v := Bank{}.Check(context.Background(), &Input{Events: ev, Final: f, BankTotal: 500})
		bad := evidence[bankEvidence](t, v).BadReads
		if v.Status != Invalid || bad != refBadReads(ev, 500) || bad != 1 {
			t.Fatalf("seed %d: mutated read: %s, %d bad reads", seed, v.Status, bad)
		}
	}
}

// refBadReads counts ok reads whose balances do not add up or go negative.
func refBadReads(ev []history.Event, total int64) int {
	n := 0
	for _, i := range okIndexes(ev, "read") {
		var r history.BankRead
		_ = json.Unmarshal(ev[i].Value, &r)
		sum, neg := int64(0), false
		for _, b := range r.Balances {
			sum, neg = sum+b, neg || b < 0
		}
		if sum != total || neg {
			n++
		}
	}
	return n
}

func okIndexes(ev []history.Event, f string) []int {
	var out []int
	for i, e := range ev {
		if e.Type == history.OK && e.F == f {
			out = append(out, i)
		}
	}
	return out
}

func linStatus(ev []history.Event) Status {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Linearizable{}.Check(ctx, &Input{Events: ev}).Status
}

func TestRandomRegisterValidThenMutated(t *testing.T) {
	for seed := 0; seed < seeds; seed++ {
		rng := rngFor(seed)
		ev := genRegister(rng, 1+rng.IntN(5), 1+rng.IntN(60), 1+rng.IntN(3)).events()
		if len(bfOps(t, ev)) == 0 {
			if s := linStatus(ev); s != Unknown {
				t.Fatalf("seed %d: nothing to check is %s, want unknown", seed, s)
			}
			continue
		}
		if s := linStatus(ev); s != Valid {
			t.Fatalf("seed %d: generated history is %s", seed, s)
		}
		reads := okIndexes(ev, "read")
		if len(reads) == 0 {
			continue
		}
		i := reads[rng.IntN(len(reads))]
		var r history.RegisterOp
		_ = json.Unmarshal(ev[i].Value, &r)
		r.V = i64(1000 + rng.Int64N(10)) // never written
		ev[i].Value = raw(r)
		if s := linStatus(ev); s != Invalid {
			t.Fatalf("seed %d: read of a value never written is %s", seed, s)
		}
	}
}

// On tiny single-key histories with arbitrary read results, porcupine and
// the brute-force search over real-time-consistent orders agree.
func TestRegisterAgreesWithBruteForce(t *testing.T) {
	verdicts := map[bool]int{}
	for seed := 0; seed < 300; seed++ {
		rng := rngFor(5000 + seed)
		h := genRegister(rng, 1+rng.IntN(3), 1+rng.IntN(7), 1)
		for i := range h.ev {
			e := &h.ev[i]
			if e.Type == history.OK && e.F == "read" && rng.IntN(3) == 0 {
				var v *int64
				if x := rng.Int64N(4); x < 3 {
					v = i64(x)
				}
				e.Value = raw(history.RegisterOp{K: 0, V: v})
			}
		}
		ev := h.events()
		ops := bfOps(t, ev)
		if len(ops) == 0 {
			continue
		}
		want := bruteLinearizable(ops)
		verdicts[want]++
		if got := linStatus(ev); (got == Valid) != want || got == Unknown {
			t.Fatalf("seed %d: porcupine %s, brute force linearizable=%v\n%s", seed, got, want, toJSON(ev))
		}
	}
	if verdicts[true] == 0 || verdicts[false] == 0 {
		t.Fatalf("random histories should include both verdicts: %v", verdicts)
	}
}

// bfOps converts a register history for the brute-force checker.
func bfOps(t *testing.T, ev []history.Event) []bfOp {
	var out []bfOp
	pending := map[int]history.Event{}
	add := func(inv history.Event, typ history.Type, ret int64, outV json.RawMessage) {
		if typ == history.Fail || (typ != history.OK && inv.F == "read") {
			return
		}
		var in, res history.RegisterOp
		_ = json.Unmarshal(inv.Value, &in)
		_ = json.Unmarshal(outV, &res)
		o := bfOp{call: inv.Time, ret: ret, must: typ == history.OK, f: inv.F, v: in.V}
		if !o.must {
			o.ret = math.MaxInt64
		}
		if inv.F == "read" {
			o.v = res.V
		}
		if inv.F == "cas" {
			o.old, o.new = *in.Old, *in.New
		}
		out = append(out, o)
	}
	for _, e := range ev {
		if e.Type == history.Invoke {
			pending[e.Process] = e
			continue
		}
		add(pending[e.Process], e.Type, e.Time, e.Value)
		delete(pending, e.Process)
	}
	for _, inv := range pending {
		add(inv, history.Info, 0, nil)
	}
	if len(out) > 62 {
		t.Fatal("history too long for the brute-force checker")
	}
	return out
}
