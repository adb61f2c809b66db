package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// slowProvider's target takes a while to come up, as a lab or an attach
// with a health wait does.
type slowProvider struct {
	fakeProvider
	setup time.Duration
}

func (p slowProvider) Open(ctx context.Context, s *scenarios.Scenario, o targets.OpenOptions) (targets.Session, error) {
	time.Sleep(p.setup)
	return p.fakeProvider.Open(ctx, s, o)
}

// A step's `at` is an offset from the workload's start: a target that
// took 1.5 s to come up must not make the step fire 1.5 s early.
func TestStepsFireRelativeToTheWorkloadStart(t *testing.T) {
	s, src := lifecycleScenario(t, "galera", "3s", "", "- {at: 2s, for: 500ms, kill: {}, select: {nodes: [n3]}}")
	c := newFakeCluster(fmt.Sprintf("fake-steptime-%d", time.Now().UnixNano()), 3)
	res, err := Run(context.Background(), Options{
		Scenario: s, Source: src, OutDir: t.TempDir(), StateDir: t.TempDir(), Quiet: true,
		Providers: providers.New(slowProvider{fakeProvider{cluster: c}, 1500 * time.Millisecond}), Load: newFakeLoad(c),
		Ledger: ledgerIn(t), ProbeInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := history.ReadAll(filepath.Join(res.Dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	var start, inject int64 = -1, -1
	for _, e := range evs {
		if e.Type == history.Mark && e.F == "workload-start" && start < 0 {
			start = e.Time
		}
		if e.Type == history.Fault && e.Fault.Phase == history.FaultStart && inject < 0 {
			inject = e.Time
		}
	}
	if start < 0 || inject < 0 {
		t.Fatalf("workload-start at %d, injection at %d: both must be recorded", start, inject)
	}
	if after := time.Duration(inject - start); after < 1900*time.Millisecond || after > 2600*time.Millisecond {
		t.Errorf("the step at 2s fired %v after the workload started; want ≈ 2s", after)
	}
}
