package verify

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

func names(cs []Checker) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name())
	}
	return out
}

// The scenario format names its checks with verify's constants
// (scenarios.Check* = verify.Name*), so only the table needs a test here:
// every check of every workload is a check verify can build.
func TestChecksForNamesKnownCheckers(t *testing.T) {
	for _, w := range Workloads() {
		for _, c := range ChecksFor(w) {
			if newChecker(c) == nil || !slices.Contains(AllChecks(), c) {
				t.Errorf("workload %s: check %q has no checker", w, c)
			}
		}
	}
	if got := ChecksFor("bank"); slices.Contains(got, NameRPO) || slices.Contains(got, NameLostWrites) {
		t.Errorf("bank checks %v: rpo and lost-writes read the ledger's final state", got)
	}
	if ChecksFor("nope") != nil {
		t.Error("unknown workload has checks")
	}
}

func TestCheckersApplicable(t *testing.T) {
	if got := names(Checkers("ledger", nil)); !slices.Equal(got, []string{"lost-writes", "split-brain", "rpo", "rto", "convergence", "timestamp-order", "restore"}) {
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
