package disk

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline.dev/faultline/injectors"
)

// A burst disk on a real loop device: a process writing synchronously
// inside its cgroup spends the credits, the throttle is rewritten from
// burst to baseline when they run out (read back from the kernel), the
// balance is sampled all along, and Recover (twice) removes the cgroup.
func TestIntegrationBurstLoopDevice(t *testing.T) {
	mnt, dev := loopMount(t)
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	f, err := NewBurst("itest", "n1", sleeper.Process.Pid, dev, mnt,
		Volume{BaselineIOPS: 20, BurstIOPS: 2000, Credits: 300, Initial: 300, Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var samples []CreditSample
	f.SampleTo(func(s injectors.Sample) {
		var c CreditSample
		if s.Series != SeriesCredits || s.Node != "n1" || json.Unmarshal(s.Value, &c) != nil {
			t.Errorf("sample %+v", s)
		}
		mu.Lock()
		samples = append(samples, c)
		mu.Unlock()
	})
	ctx := t.Context()
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Recover(ctx) })
	if l, _ := ReadLimits(f.p.Throttle.Cgroup, f.p.Throttle.Version, dev); l.WriteIOPS != 2000 {
		t.Fatalf("throttle at the start: %+v; want burst 2000", l)
	}
	// 1000 synchronous 4 KiB writes from inside the cgroup: more than the credits.
	file := filepath.Join(mnt, "load")
	dd := "echo $$ > " + filepath.Join(f.p.Throttle.Cgroup, "cgroup.procs") + " && exec dd if=/dev/zero of=" + file + " bs=4k count=1000 oflag=direct,dsync status=none"
	load := exec.CommandContext(ctx, "sh", "-c", dd)
	if err := load.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { load.Process.Kill(); load.Wait() })
	go func() { time.Sleep(20 * time.Second); f.EndWindow() }()
	ev, err := f.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(ev.Summary)
	var got BurstEvidence
	json.Unmarshal(ev.Data, &got)
	if !ev.Held || !got.RanOut || got.ReadBack.WriteIOPS != 20 || got.Rewrite == nil || got.Rewrite.To != "baseline" {
		t.Fatalf("evidence %s; want the credits run out and the throttle read back at the baseline 20", ev.Data)
	}
	if !strings.Contains(ev.Summary, "ran out") {
		t.Errorf("summary %q", ev.Summary)
	}
	mu.Lock()
	first, last := samples[0], samples[len(samples)-1]
	mu.Unlock()
	if first.Balance != 300 || first.Limit != "burst" || last.Limit != "baseline" || last.Balance > 20 {
		t.Errorf("samples from %+v to %+v; want a full bucket at burst down to an empty one at baseline", first, last)
	}
	g, _ := BurstFromParams(f.Params())
	for _, r := range []injectors.Fault{f, g} {
		if err := r.Recover(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(f.p.Throttle.Cgroup); !os.IsNotExist(err) {
		t.Errorf("cgroup left: %v", err)
	}
}
