package runner_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/verify"
)

// burstScenario puts n3's disk on 5000 credits (100 IOPS baseline, 3000
// burst) from 3s to 43s under a ledger load limited to rate ("" = as fast
// as 8 clients go).
func burstScenario(rate string) string {
	if rate != "" {
		rate = "\n    rate: " + rate
	}
	return fmt.Sprintf(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: galera-burst-cliff
spec:
  target:
    local:
      topology: galera
      nodes: 3
  workload:
    kind: ledger
    clients: 8%s
    duration: 50s
  faults:
    - name: n3-credits
      at: 3s
      for: 40s
      select: {nodes: [n3]}
      diskBurst: {baselineIops: 100, burstIops: 3000, credits: 5000}
  verify:
    rpo: 0s
`, rate)
}

// burstRun is what a run with a burst disk recorded.
type burstRun struct {
	inject, ranOut, healed, end int64   // history times
	spent                       float64 // credits the samples say were spent until ranOut
	lowest                      float64 // lowest balance sampled
	ops                         []history.Op
}

func readBurstRun(t *testing.T, dir string) burstRun {
	t.Helper()
	events, err := history.ReadAll(filepath.Join(dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	r := burstRun{lowest: 1e18}
	var prev int64
	for _, e := range events {
		r.end = max(r.end, e.Time)
		switch {
		case e.Type == history.Fault && e.Fault != nil && e.Fault.Phase == history.FaultStart:
			r.inject = e.Time
		case e.Type == history.Fault && e.Fault != nil && e.Fault.Phase == history.FaultHealed:
			r.healed = e.Time
		case e.Type == history.Sample && e.F == disk.SeriesCredits && r.ranOut == 0:
			var s disk.CreditSample
			if err := json.Unmarshal(e.Value, &s); err != nil {
				t.Fatal(err)
			}
			if prev > 0 {
				r.spent += (s.IOPS - float64(s.BaselineIOPS)) * time.Duration(e.Time-prev).Seconds()
			}
			prev = e.Time
			r.lowest = min(r.lowest, s.Balance)
			if s.Rewrite && s.Limit == "baseline" {
				r.ranOut = e.Time
			}
		}
	}
	r.ops = history.Pairs(events)
	return r
}

func (r burstRun) ranOutAfter() time.Duration { return time.Duration(r.ranOut - r.inject) }

// p50 is the median latency of the ops that started (intended start under
// an open-loop rate, else invoke) in [from, to): an op a stall held up
// counts with the latency it had when it completed, even after the window.
func (r burstRun) p50(from, to int64) (time.Duration, int) {
	var lat []int64
	for _, op := range r.ops {
		start := op.Invoke.Time
		if op.Invoke.Intended > 0 {
			start = op.Invoke.Intended
		}
		if op.Type != history.OK || start < from || start >= to {
			continue
		}
		lat = append(lat, op.Complete.Time-start)
	}
	if len(lat) == 0 {
		return 0, 0
	}
	slices.Sort(lat)
	return time.Duration(lat[len(lat)/2]), len(lat)
}

// A Galera cluster under write load is fine while n3's disk holds credits;
// the commit-latency cliff starts when the recorded balance reaches zero,
// which the workload's own I/O decides (a lighter load spends the same
// credits later, or not within the window), and the cluster recovers after
// the heal.
func TestIntegrationDiskBurstCliff(t *testing.T) {
	requireLab(t)
	heavy := runBurst(t, "heavy", "")
	if heavy.ranOut == 0 {
		t.Fatal("heavy load: the credits never ran out")
	}
	sec := int64(time.Second)
	before, nb := heavy.p50(heavy.inject+sec/2, heavy.ranOut-sec/2)
	cliff, nc := heavy.p50(heavy.ranOut+2*sec, heavy.healed-2*sec)
	healed, nh := heavy.p50(heavy.healed+3*sec, heavy.end-2*sec)
	t.Logf("heavy load: credits ran out %v after inject (%.0f spent by the samples); p50 %v before (%d ops), %v after (%d ops), %v after the heal (%d ops)",
		heavy.ranOutAfter(), heavy.spent, before, nb, cliff, nc, healed, nh)
	if nb == 0 || nc == 0 || cliff < 3*before {
		t.Errorf("heavy load: p50 %v (%d ops) before the credits ran out, %v (%d ops) after; want a cliff of at least 3×", before, nb, cliff, nc)
	}
	if nh == 0 || healed > cliff/2 {
		t.Errorf("heavy load: p50 %v after the heal; want it back under half the cliff's %v", healed, cliff)
	}
	if heavy.spent < 5000*0.8 || heavy.spent > 5000*1.25 {
		t.Errorf("heavy load: the samples spent %.0f credits until the balance hit zero; want about the 5000 credits", heavy.spent)
	}
	light := runBurst(t, "light", "100/s")
	if light.ranOut == 0 {
		early, _ := light.p50(light.inject+int64(time.Second), light.inject+int64(11*time.Second))
		late, n := light.p50(light.healed-int64(10*time.Second), light.healed)
		t.Logf("light load: the credits lasted the whole window (lowest %.0f); p50 %v early, %v late", light.lowest, early, late)
		if n == 0 || late > 3*early {
			t.Errorf("light load: no zero balance, yet p50 went from %v to %v", early, late)
		}
		return
	}
	t.Logf("light load: credits ran out %v after inject", light.ranOutAfter())
	if float64(light.ranOutAfter()) < 1.3*float64(heavy.ranOutAfter()) {
		t.Errorf("credits ran out %v after inject under the heavy load and %v under the light one; want the light load to last clearly longer",
			heavy.ranOutAfter(), light.ranOutAfter())
	}
}

// runBurst runs burstScenario under a load and reads what it recorded;
// the run directory is kept in $TMPDIR when the test fails.
func runBurst(t *testing.T, name, rate string) burstRun {
	t.Helper()
	res := runSource(t, "galera-burst-cliff.yaml", []byte(burstScenario(rate)), 4100)
	t.Cleanup(func() {
		if t.Failed() {
			keep := filepath.Join(os.TempDir(), filepath.Base(res.Dir)+"-"+name)
			t.Logf("%s run kept in %s: %v", name, keep, os.CopyFS(keep, os.DirFS(res.Dir)))
		}
	})
	if res.Status != verify.Valid {
		t.Errorf("%s load: verdict %s; want valid (nothing lost, only slow)", name, res.Status)
	}
	return readBurstRun(t, res.Dir)
}
