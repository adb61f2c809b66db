package verify

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
)

func names(cs []Checker) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name())
	}
	return out
}

func TestCheckNamesMatchScenarios(t *testing.T) {
	pairs := map[string]string{
		NameLostWrites: scenarios.CheckLostWrites, NameSplitBrain: scenarios.CheckSplitBrain,
		NameRPO: scenarios.CheckRPO, NameRTO: scenarios.CheckRTO, NameBank: scenarios.CheckBank,
		NameLinearizable: scenarios.CheckLinearizable, NameIsolation: scenarios.CheckIsolation,
		NameConvergence: scenarios.CheckConvergence,
	}
	for ours, theirs := range pairs {
		if ours != theirs {
			t.Errorf("check name %q != scenarios %q", ours, theirs)
		}
	}
	for w := range applicable {
		if !slices.Contains([]string{scenarios.WorkloadLedger, scenarios.WorkloadBank,
			scenarios.WorkloadListAppend, scenarios.WorkloadRegister}, w) {
			t.Errorf("unknown workload %q", w)
		}
	}
}

func TestCheckersApplicable(t *testing.T) {
	if got := names(Checkers("ledger", nil)); !slices.Equal(got, []string{"lost-writes", "split-brain", "rpo", "rto", "convergence"}) {
		t.Fatalf("ledger: %v", got)
	}
	if got := names(Checkers("bank", []string{"convergence", "bank", "lost-writes"})); !slices.Equal(got, []string{"bank", "convergence"}) {
		t.Fatalf("bank filtered: %v", got)
	}
	if got := names(Checkers("register", nil)); !slices.Contains(got, "linearizable") {
		t.Fatalf("register: %v", got)
	}
	if got := names(Checkers("list-append", nil)); !slices.Equal(got, []string{"isolation", "split-brain", "rto", "convergence"}) {
		t.Fatalf("list-append: %v", got)
	}
	if got := Checkers("nope", nil); got != nil {
		t.Fatalf("unknown workload: %v", got)
	}
}

// fakeChecker behaves as told.
type fakeChecker struct {
	name string
	run  func(ctx context.Context) Verdict
}

func (f fakeChecker) Name() string                                { return f.name }
func (f fakeChecker) Check(ctx context.Context, _ *Input) Verdict { return f.run(ctx) }

func TestRunAllTimeoutPanicAndResults(t *testing.T) {
	cs := []Checker{
		fakeChecker{"ok", func(context.Context) Verdict { return Verdict{Status: Valid, Summary: "fine"} }},
		fakeChecker{"slow", func(ctx context.Context) Verdict {
			<-ctx.Done()
			time.Sleep(50 * time.Millisecond) // returns Valid too late
			return Verdict{Check: "slow", Status: Valid}
		}},
		fakeChecker{"boom", func(context.Context) Verdict { panic("index out of range [7]") }},
		fakeChecker{"bad", func(context.Context) Verdict { return Verdict{Check: "bad", Status: Invalid} }},
	}
	vs := RunAll(context.Background(), &Input{}, cs, 100*time.Millisecond)
	if len(vs) != 4 {
		t.Fatalf("verdicts: %+v", vs)
	}
	if vs[0].Check != "ok" || vs[0].Status != Valid {
		t.Errorf("ok: %+v", vs[0])
	}
	if vs[1].Status != Unknown || !strings.Contains(vs[1].Summary, "did not finish") {
		t.Errorf("slow: %+v", vs[1])
	}
	if vs[2].Status != Unknown || !strings.Contains(vs[2].Summary, "index out of range [7]") {
		t.Errorf("boom: %+v", vs[2])
	}
	if vs[3].Status != Invalid {
		t.Errorf("bad: %+v", vs[3])
	}
	if Worst(vs) != Invalid {
		t.Errorf("worst: %s", Worst(vs))
	}
}

// The real checkers run together over one Input and share its indexes.
func TestRunAllLedgerCheckers(t *testing.T) {
	h, f := recoveryHistory()
	in := &Input{Events: h.events(), Final: f, Thresholds: Thresholds{RPO: dur(0)}}
	vs := RunAll(context.Background(), in, Checkers("ledger", nil), 10*time.Second)
	got := map[string]Status{}
	for _, v := range vs {
		got[v.Check] = v.Status
	}
	want := map[string]Status{"lost-writes": Invalid, "split-brain": Valid, "rpo": Invalid, "rto": Measured, "convergence": Valid}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
}

// Bank and register runs through the same entry points.
func TestRunAllBankAndRegister(t *testing.T) {
	h, f := genBank(rngFor(3), 4, 200, 5, 100)
	vs := RunAll(context.Background(), &Input{Events: h.events(), Final: f, BankTotal: 500}, Checkers("bank", nil), 10*time.Second)
	if len(vs) != 4 {
		t.Fatalf("bank verdicts: %+v", vs)
	}
	for _, v := range vs {
		if v.Check == NameRTO { // no fault and no threshold: nothing judged
			wantStatus(t, v, Measured)
			continue
		}
		wantStatus(t, v, Valid)
	}
	rh := genRegister(rngFor(4), 4, 200, 3)
	rf := &history.Final{Workload: "register", Converged: true, Nodes: []history.FinalNode{
		{Node: "n1", Reachable: true, Registers: map[int64]int64{1: 2}},
		{Node: "n2", Reachable: true, Registers: map[int64]int64{1: 2}},
	}}
	vs = RunAll(context.Background(), &Input{Events: rh.events(), Final: rf}, Checkers("register", nil), 10*time.Second)
	if len(vs) != 4 {
		t.Fatalf("register verdicts: %+v", vs)
	}
	for _, v := range vs {
		if v.Check == NameRTO {
			wantStatus(t, v, Measured)
			continue
		}
		wantStatus(t, v, Valid)
	}
}
