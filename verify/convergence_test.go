package verify

import (
	"context"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

func checkConv(t *testing.T, f *history.Final) (Verdict, convergenceEvidence) {
	t.Helper()
	v := Convergence{}.Check(context.Background(), &Input{Final: f})
	if v.Evidence == nil {
		return v, convergenceEvidence{}
	}
	return v, evidence[convergenceEvidence](t, v)
}

func TestConvergenceIdenticalNodes(t *testing.T) {
	f := ledgerFinal(map[string][]int64{"n1": {3, 1, 2}, "n2": {1, 2, 3}, "n3": {2, 3, 1}})
	f.Nodes = append(f.Nodes, history.FinalNode{Node: "n4", Reachable: false, Err: "connection refused"})
	v, ev := checkConv(t, f)
	wantStatus(t, v, Valid)
	if ev.Reference != "n1" || !slices.Equal(ev.Unreachable, []string{"n4"}) {
		t.Fatalf("evidence: %+v", ev)
	}
}

func TestConvergenceLedgerDiffers(t *testing.T) {
	v, ev := checkConv(t, ledgerFinal(map[string][]int64{"n1": {1, 2, 3, 4}, "n2": {1, 2, 3, 4}, "n3": {1, 3, 9}}))
	wantStatus(t, v, Invalid)
	if len(ev.Differ) != 1 || ev.Differ[0].Node != "n3" {
		t.Fatalf("differ: %+v", ev.Differ)
	}
	d := ev.Differ[0].Kinds["ledger"]
	if d.Missing != 2 || d.Extra != 1 || !slices.Equal(d.First, []string{"2", "4", "9"}) {
		t.Fatalf("ledger diff: %+v", d)
	}
}

func TestConvergenceKeyedData(t *testing.T) {
	f := &history.Final{Workload: "register", Converged: true, Nodes: []history.FinalNode{
		{Node: "a", Reachable: true, Registers: map[int64]int64{1: 5, 2: 6}, Checksums: map[string]int64{"r": 1},
			Lists: map[int64][]int64{1: {1, 2}}, Balances: map[int64]int64{0: 1}},
		{Node: "b", Reachable: true, Registers: map[int64]int64{1: 5, 2: 7, 3: 1}, Checksums: map[string]int64{"r": 2},
			Lists: map[int64][]int64{1: {1}}, Balances: map[int64]int64{}},
	}}
	v, ev := checkConv(t, f)
	wantStatus(t, v, Invalid)
	k := ev.Differ[0].Kinds
	if r := k["registers"]; r.Changed != 1 || r.Extra != 1 || !slices.Equal(r.First, []string{"2", "3"}) {
		t.Fatalf("registers: %+v", r)
	}
	if k["checksums"].Changed != 1 || k["lists"].Changed != 1 || k["balances"].Missing != 1 {
		t.Fatalf("kinds: %+v", k)
	}
}

func TestConvergenceWaitFailed(t *testing.T) {
	f := ledgerFinal(map[string][]int64{"n1": {1}, "n2": {1}})
	f.Converged, f.ConvergenceErr = false, "n3 not Synced after 60s"
	v, _ := checkConv(t, f)
	wantStatus(t, v, Invalid)
}

func TestConvergenceUnknown(t *testing.T) {
	v, _ := checkConv(t, nil)
	wantStatus(t, v, Unknown)
	f := ledgerFinal(map[string][]int64{"n1": {1}})
	f.Nodes[0].Reachable = false
	v, _ = checkConv(t, f)
	wantStatus(t, v, Unknown)
}
