package runner

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/providers"
)

// A run with --metrics-addr is scraped by a real Prometheus server: while
// it goes, the operation counters rise and the fault's gauge is 1 during
// the fault; after it, the last scrape (of the final values) holds the
// history's ok/fail/info counts.
func TestMetricsScrapedByPrometheus(t *testing.T) {
	start := time.Now()
	addr := freeLoopbackAddr(t)
	prom := startPrometheus(t, addr)
	s, src := lifecycleScenario(t, "galera", "6s", "", "- {at: 1s, for: 3s, kill: {}, select: {nodes: [n1]}}")
	c := newFakeCluster(fmt.Sprintf("fake-metrics-%d", time.Now().UnixNano()), 3)
	type result struct {
		res *Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Run(context.Background(), Options{
			Scenario: s, Source: src, OutDir: t.TempDir(), StateDir: t.TempDir(), Quiet: true,
			Providers: providers.New(fakeProvider{cluster: c}), Load: newFakeLoad(c), Ledger: ledgerIn(t),
			ProbeInterval: 100 * time.Millisecond, MetricsAddr: addr, MetricsLinger: 10 * time.Second,
		})
		done <- result{res, err}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var sawOps, sawFault bool
	var r result
	for running := true; running; {
		select {
		case r = <-done:
			running = false
		case <-time.After(250 * time.Millisecond):
			sawOps = sawOps || promValue(t, ctx, prom, `sum(faultline_operations_total)`) > 0
			sawFault = sawFault || promValue(t, ctx, prom, `faultline_fault_active{step="step-1",kind="kill"}`) == 1
		}
	}
	if r.err != nil {
		t.Fatalf("run: %v", r.err)
	}
	if !sawOps || !sawFault {
		t.Fatalf("during the run Prometheus showed operations=%v, fault active=%v", sawOps, sawFault)
	}

	// The last scrape, once ingested, is of the final values.
	for promValue(t, ctx, prom, `last_over_time(faultline_run_finished[1m])`) != 1 {
		if ctx.Err() != nil {
			t.Fatal("Prometheus never ingested a scrape of the final values")
		}
		time.Sleep(100 * time.Millisecond)
	}
	got, err := prom.query(ctx, `sum by (outcome) (last_over_time(faultline_operations_total[1m]))`, "outcome")
	if err != nil {
		t.Fatal(err)
	}
	want := historyOutcomes(t, r.res.Dir)
	for _, o := range []history.Type{history.OK, history.Fail, history.Info} {
		if got[string(o)] != want[o] {
			t.Errorf("%s: Prometheus %v, history %v", o, got[string(o)], want[o])
		}
	}
	if want[history.OK] == 0 || want[history.Fail] == 0 {
		t.Errorf("history %v: want ok and fail (the killed node's adds) both", want)
	}
	if v := promValue(t, ctx, prom, `last_over_time(faultline_fault_active{step="step-1"}[1m])`); v != 0 {
		t.Errorf("fault gauge after the heal = %v", v)
	}
	t.Logf("history %v; whole test %v", want, time.Since(start).Round(100*time.Millisecond))
}

// promValue is the single value of q, or -1 when it has none.
func promValue(t *testing.T, ctx context.Context, p *promServer, q string) float64 {
	t.Helper()
	vs, err := p.query(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := vs[""]; ok && len(vs) == 1 {
		return v
	}
	return -1
}

// historyOutcomes counts the completed operations of a run's history.
func historyOutcomes(t *testing.T, dir string) map[history.Type]float64 {
	t.Helper()
	events, err := history.ReadAll(filepath.Join(dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	n := map[history.Type]float64{}
	for _, e := range events {
		if e.IsOp() && e.Type != history.Invoke {
			n[e.Type]++
		}
	}
	return n
}

// A metrics address that cannot be bound fails the run before anything is
// touched: no run directory, nothing done to the target.
func TestMetricsBindFailureIsHarnessErrorBeforeAnything(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	s, src := lifecycleScenario(t, "galera", "2s", "", "- {at: 1s, for: 1s, kill: {}, select: {nodes: [n1]}}")
	c := newFakeCluster(fmt.Sprintf("fake-metrics-bind-%d", time.Now().UnixNano()), 3)
	out := t.TempDir()
	res, err := Run(context.Background(), Options{
		Scenario: s, Source: src, OutDir: out, StateDir: t.TempDir(), Quiet: true,
		Providers: providers.New(fakeProvider{cluster: c}), Load: newFakeLoad(c), Ledger: ledgerIn(t),
		MetricsAddr: busy.Addr().String(),
	})
	if err == nil || res != nil || !strings.Contains(err.Error(), busy.Addr().String()) {
		t.Fatalf("run with a busy metrics address: res=%v err=%v", res, err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 || len(c.log) != 0 {
		t.Fatalf("touched before failing: run dirs %v, cluster log %v", entries, c.log)
	}
}

func ledgerIn(t *testing.T) injectors.Ledger {
	t.Helper()
	l, err := injectors.OpenLedger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}
