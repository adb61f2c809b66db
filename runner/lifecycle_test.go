package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/scenarios"
)

// runLifecycle runs a scenario end to end against a fake cluster (no
// kernel, no server) and prints what the runner did: the fault events in
// the history, what the faults did to the cluster, the ledger after the run,
// and the verdict. Input is the scenario's spec.faults list; arguments:
//
//	duration=3s            the workload's length
//	topology=galera        or replication
//	abort=0.5/1s           spec.abort errorRate/for
//	interrupt=step-1       cancel the run (Ctrl-C) once this step was injected
//	noeffect=kill          faults of this kind inject without effect
//	failrecover=kill       faults of this kind fail to recover
//	recover                after the run, replay the ledger as `faultline recover` does
func runLifecycle(t *testing.T, d *datadriven.TestData) string {
	dur, abort, interrupt, noEffect, failRecover, topo := "3s", "", "", "", "", "galera"
	d.MaybeScanArgs(t, "duration", &dur)
	d.MaybeScanArgs(t, "topology", &topo)
	d.MaybeScanArgs(t, "abort", &abort)
	d.MaybeScanArgs(t, "interrupt", &interrupt)
	d.MaybeScanArgs(t, "noeffect", &noEffect)
	d.MaybeScanArgs(t, "failrecover", &failRecover)
	s, src := lifecycleScenario(t, topo, dur, abort, d.Input)
	c := newFakeCluster(fmt.Sprintf("fake-%s-%d", d.Pos, time.Now().UnixNano()), 3)
	c.noEffect[noEffect], c.failRecover[failRecover] = noEffect != "", failRecover != ""
	state := t.TempDir()
	ledger, err := injectors.OpenLedger(state)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	if interrupt != "" {
		go cancelAfterInject(ctx, cancel, c, interrupt, s)
	}
	res, err := Run(ctx, Options{
		Scenario: s, Source: src, OutDir: t.TempDir(), StateDir: state, Quiet: true,
		Providers: providers.New(fakeProvider{cluster: c}), Load: newFakeLoad(c), Ledger: ledger,
		ProbeInterval: 50 * time.Millisecond,
	})
	if err != nil {
		return "harness error: " + err.Error() + "\n"
	}
	var b strings.Builder
	writeFaultEvents(t, &b, res.Dir)
	writeVerdict(t, &b, res)
	writeLedger(t, &b, ledger)
	if d.HasArg("recover") {
		// The harness is gone; a new process finds the fault by the
		// target its record names (the provider reopens the cluster).
		c.failRecover = map[string]bool{}
		c.logf("-- faultline recover --")
		healed, err := injectors.RecoverAll(context.Background(), ledger, providers.New(fakeProvider{}).Rebuilder(state), "")
		fmt.Fprintf(&b, "recover: %d healed, err=%v\n", len(healed), err)
		writeLedger(t, &b, ledger)
	}
	fmt.Fprintf(&b, "cluster:\n")
	for _, l := range c.log {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	fmt.Fprintf(&b, "down after all: %v\n", c.down)
	return b.String()
}

func lifecycleScenario(t *testing.T, topo, dur, abort, faults string) (*scenarios.Scenario, []byte) {
	t.Helper()
	src := lifecycleSource(topo, dur, abort, faults)
	s, err := scenarios.LoadWith("lifecycle.yaml", []byte(src), fakeSpellings())
	if err != nil {
		t.Fatalf("scenario:\n%s\n%v", src, err)
	}
	return s, []byte(src)
}

// lifecycleSource is the scenario of a lifecycle test: faults is its
// spec.faults list.
func lifecycleSource(topo, dur, abort, faults string) string {
	var ab string
	if abort != "" {
		rate, f, _ := strings.Cut(abort, "/")
		ab = fmt.Sprintf("  abort: {errorRate: %s, for: %s}\n", rate, f)
	}
	var indented strings.Builder
	for _, l := range strings.Split(strings.TrimRight(faults, "\n"), "\n") {
		indented.WriteString("    " + l + "\n")
	}
	return fmt.Sprintf(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: lifecycle}
spec:
  target:
    local: {topology: %s, nodes: 3}
  workload: {kind: ledger, clients: 3, duration: %s}
  verify: {convergence: 2s}
  faults:
%s%s`, topo, dur, indented.String(), ab)
}

// cancelAfterInject cancels the run once the cluster logged the injection
// of the named step's kind, as a Ctrl-C in the middle of a fault would.
func cancelAfterInject(ctx context.Context, cancel context.CancelCauseFunc, c *fakeCluster, step string, s *scenarios.Scenario) {
	kind := ""
	for i := range s.Spec.Faults {
		if scenarios.StepID(i) == step {
			kind = s.Spec.Faults[i].Kind()
		}
	}
	for ctx.Err() == nil {
		c.mu.Lock()
		injected := false
		for _, l := range c.log {
			injected = injected || strings.HasPrefix(l, "inject "+kind)
		}
		c.mu.Unlock()
		if injected {
			time.Sleep(100 * time.Millisecond)
			cancel(fmt.Errorf("interrupt"))
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func writeFaultEvents(t *testing.T, b *strings.Builder, dir string) {
	events, err := history.ReadAll(filepath.Join(dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "history:\n")
	for _, e := range events {
		switch {
		case e.Type == history.Fault && e.Fault != nil:
			fmt.Fprintf(b, "  fault %s %s %s %s\n", e.Fault.ID, e.Fault.Kind, e.Fault.Phase, strings.Join(e.Fault.Targets, ","))
		case e.Type == history.Mark && e.F != "" && e.F != "audit":
			fmt.Fprintf(b, "  mark %s\n", e.F)
		case e.Type == history.Mark && e.F == "audit":
			fmt.Fprintf(b, "  mark audit %q\n", e.Err)
		}
	}
}

func writeLedger(t *testing.T, b *strings.Builder, l injectors.Ledger) {
	recs, err := l.List("")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "ledger: %d open\n", len(recs))
	for _, r := range recs {
		fmt.Fprintf(b, "  %s %s %s on %s target=%s\n", r.ID, r.Kind, r.State, strings.Join(r.Targets, ","), r.Target.Kind)
	}
}

func writeVerdict(t *testing.T, b *strings.Builder, res *Result) {
	reason := ""
	if m, err := reports.ReadRunMeta(res.Dir); err == nil && m != nil {
		reason, _, _ = strings.Cut(m.PartialReason, ":")
		if m.Environment.MariaDB != "" {
			fmt.Fprintf(b, "versions: %s / %s\n", m.Environment.MariaDB, m.Environment.Galera)
		}
	}
	fmt.Fprintf(b, "partial: %v %s\n", res.Partial, reason)
	fmt.Fprintf(b, "verdict: %s (exit %d)\n", res.Status, res.ExitCode)
	if _, err := os.Stat(filepath.Join(res.Dir, history.FileSummary)); err != nil {
		fmt.Fprintf(b, "no summary.md: %v\n", err)
	}
}
