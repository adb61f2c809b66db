package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// refusingProvider's target refuses to be touched, as a Kubernetes
// namespace not opted in to chaos does.
type refusingProvider struct{ fakeProvider }

func (refusingProvider) Open(context.Context, *scenarios.Scenario, targets.OpenOptions) (targets.Session, error) {
	return nil, fmt.Errorf("attach db: %w", targets.Refuse(errors.New("namespace db is not opted in to chaos")))
}

// A target's refusal is no run: Run returns it, keeps no run directory and
// renders no report. Any other failure to open still leaves a partial run.
func TestARefusedTargetLeavesNoRun(t *testing.T) {
	s, src := lifecycleScenario(t, "galera", "3s", "", "- {at: 1s, for: 500ms, kill: {}, select: {nodes: [n3]}}")
	c := newFakeCluster(fmt.Sprintf("fake-refused-%d", time.Now().UnixNano()), 3)
	out := t.TempDir()
	res, err := Run(context.Background(), Options{
		Scenario: s, Source: src, OutDir: out, StateDir: t.TempDir(), Quiet: true,
		Providers: providers.New(refusingProvider{fakeProvider{cluster: c}}), Load: newFakeLoad(c), Ledger: ledgerIn(t),
	})
	if !targets.IsRefusal(err) || res != nil {
		t.Fatalf("Run = %v, %v; want no result and the refusal", res, err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("a refused run left %d entries in the output directory, want none", len(entries))
	}

	res, err = Run(context.Background(), Options{
		Scenario: s, Source: src, OutDir: out, StateDir: t.TempDir(), Quiet: true,
		Providers: providers.New(failingProvider{fakeProvider{cluster: c}}), Load: newFakeLoad(c), Ledger: ledgerIn(t),
	})
	if err == nil || targets.IsRefusal(err) || res == nil || !res.Partial {
		t.Fatalf("a target that failed to open: Run = %+v, %v; want a partial run and the error", res, err)
	}
}

// failingProvider's target fails to come up (not a refusal).
type failingProvider struct{ fakeProvider }

func (failingProvider) Open(context.Context, *scenarios.Scenario, targets.OpenOptions) (targets.Session, error) {
	return nil, errors.New("lab n2 never answered")
}
