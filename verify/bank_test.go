package verify

import (
	"context"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

func bankRead(h *hist, p int, node string, call, ret float64, balances ...int64) {
	h.op(p, node, "read", nil, call, history.OK, history.BankRead{Balances: balances}, ret)
}

func bankFinal(balances ...map[int64]int64) *history.Final {
	f := &history.Final{Workload: "bank", Converged: true}
	for i, b := range balances {
		f.Nodes = append(f.Nodes, history.FinalNode{Node: "n" + string(rune('1'+i)), Reachable: true, Balances: b})
	}
	return f
}

func checkBank(t *testing.T, h *hist, f *history.Final, total int64) (Verdict, bankEvidence) {
	t.Helper()
	v := Bank{}.Check(context.Background(), &Input{Events: h.events(), Final: f, BankTotal: total})
	if v.Status == Unknown {
		return v, bankEvidence{}
	}
	return v, evidence[bankEvidence](t, v)
}

func TestBankValid(t *testing.T) {
	h := &hist{}
	h.op(0, "n1", "transfer", history.Transfer{From: 0, To: 1, Amount: 5}, 0, history.OK, nil, 0.1)
	bankRead(h, 1, "n2", 0.05, 0.2, 100, 100, 100)
	bankRead(h, 1, "n2", 0.3, 0.4, 95, 105, 100)
	h.op(2, "n1", "read", nil, 0.5, history.Info, nil, 1) // indeterminate reads observed nothing
	v, ev := checkBank(t, h, bankFinal(map[int64]int64{0: 95, 1: 105, 2: 100}), 300)
	wantStatus(t, v, Valid)
	if ev.Reads != 2 || ev.FinalNodes != 1 {
		t.Fatalf("evidence: %+v", ev)
	}
}

func TestBankSumOffFirstWorstLast(t *testing.T) {
	h := &hist{}
	bankRead(h, 0, "n1", 0, 0.1, 100, 100, 100)
	bankRead(h, 1, "n2", 0.2, 0.3, 95, 100, 100)  // first: off by 5
	bankRead(h, 0, "n1", 0.4, 0.5, 80, 100, 100)  // worst: off by 20
	bankRead(h, 2, "n3", 0.6, 0.7, 100, 100, 101) // last: off by 1
	v, ev := checkBank(t, h, nil, 300)
	wantStatus(t, v, Invalid)
	if ev.BadReads != 3 || ev.First.Sum != 295 || ev.First.Process != 1 || ev.First.Node != "n2" || ev.First.Time != sec(0.3) ||
		ev.Worst.Sum != 280 || ev.Last.Sum != 301 || ev.Last.Node != "n3" {
		t.Fatalf("evidence: first %+v worst %+v last %+v", ev.First, ev.Worst, ev.Last)
	}
}

func TestBankNegativeBalance(t *testing.T) {
	h := &hist{}
	bankRead(h, 0, "n1", 0, 0.1, -10, 210, 100)
	v, ev := checkBank(t, h, nil, 300)
	wantStatus(t, v, Invalid)
	if !slices.Equal(ev.First.Negative, []int{0}) || ev.First.Sum != 300 {
		t.Fatalf("evidence: %+v", ev.First)
	}
}

func TestBankFinalNodeChecked(t *testing.T) {
	v, ev := checkBank(t, &hist{}, bankFinal(map[int64]int64{0: 150, 1: 150}, map[int64]int64{0: 160, 1: 150}), 300)
	wantStatus(t, v, Invalid)
	if len(ev.BadFinal) != 1 || ev.BadFinal[0].Node != "n2" || ev.BadFinal[0].Sum != 310 {
		t.Fatalf("bad final: %+v", ev.BadFinal)
	}
	v, ev = checkBank(t, &hist{}, bankFinal(map[int64]int64{0: -1, 1: 301}), 300)
	wantStatus(t, v, Invalid)
	if !slices.Equal(ev.BadFinal[0].Negative, []int64{0}) {
		t.Fatalf("bad final: %+v", ev.BadFinal)
	}
}

func TestBankUnknown(t *testing.T) {
	h := &hist{}
	bankRead(h, 0, "n1", 0, 0.1, 100, 100, 100)
	v, _ := checkBank(t, h, nil, 0)
	wantStatus(t, v, Unknown)
	v, _ = checkBank(t, &hist{}, nil, 300)
	wantStatus(t, v, Unknown)
}
