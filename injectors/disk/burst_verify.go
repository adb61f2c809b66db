package disk

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"faultline.dev/faultline/injectors"
)

// verifyMargin is the part of Verify's deadline kept for reading back the
// throttle and probing a write after the wait.
const verifyMargin = 15 * time.Second

// BurstEvidence is what a burst disk's Verify saw: when the credits ran
// out (if they did while it watched), the throttle rewrite that followed,
// and the limits read back from the kernel afterwards.
type BurstEvidence struct {
	Node        string        `json:"node"`
	Credits     int64         `json:"credits"`
	Lowest      float64       `json:"lowestBalance"`
	Watched     time.Duration `json:"watched"` // from Inject to the end of the wait
	RanOut      bool          `json:"ranOut"`
	RanOutAfter time.Duration `json:"ranOutAfter,omitempty"` // since Inject
	Rewrite     *Rewrite      `json:"rewrite,omitempty"`     // to the baseline
	Want        Limits        `json:"want"`                  // the limits the balance prescribes
	ReadBack    Limits        `json:"readBack"`              // what the cgroup holds
	// Sync write latency inside the cgroup at the start and after the
	// credits ran out (0 = not measured).
	SyncWriteBurst    time.Duration `json:"syncWriteBurst,omitempty"`
	SyncWriteBaseline time.Duration `json:"syncWriteBaseline,omitempty"`
}

// Verify waits until the credits run out, the fault's window ends or the
// deadline nears, then reads the throttle back from the cgroup. It holds
// when the cgroup holds the limits the balance prescribes; the summary says
// whether the credits ran out while it watched, and the evidence carries
// the rewrite to the baseline.
func (f *Burst) Verify(ctx context.Context) (injectors.Evidence, error) {
	f.wait(ctx)
	f.mu.Lock()
	ev := BurstEvidence{Node: f.p.Throttle.Node, Credits: f.p.Volume.Credits, Lowest: f.lowest,
		Watched: time.Since(f.start), Want: f.p.Volume.Limits(f.bucket.Exhausted())}
	for _, r := range f.rewrites {
		if r.To == "baseline" {
			ev.RanOut, ev.RanOutAfter, ev.Rewrite = true, r.After, &r
			break
		}
	}
	f.mu.Unlock()
	tp := f.p.Throttle
	got, err := ReadLimits(tp.Cgroup, tp.Version, tp.Device)
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify disk burst on %s: %w", tp.Node, err)
	}
	ev.ReadBack, ev.SyncWriteBurst = got, f.burstLat
	if ev.RanOut {
		ev.SyncWriteBaseline, _ = WriteLatency(ctx, tp.DataDir, tp.Cgroup)
	}
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: got == ev.Want, Summary: ev.summary(f.p.Volume), Data: b}, nil
}

// wait blocks until the credits first ran out, the window ended, the loop
// stopped or ctx's deadline is verifyMargin away.
func (f *Burst) wait(ctx context.Context) {
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-verifyMargin))
		defer cancel()
	}
	select {
	case <-f.exhausted:
	case <-f.window:
	case <-f.done:
	case <-ctx.Done():
	}
}

func (ev BurstEvidence) summary(v Volume) string {
	sec := func(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }
	if !ev.RanOut {
		return fmt.Sprintf("disk credits of %s did not run out in the %s watched (lowest balance %.0f of %d): throttle at burst %d IOPS, read back %d",
			ev.Node, sec(ev.Watched), ev.Lowest, ev.Credits, ev.Want.WriteIOPS, ev.ReadBack.WriteIOPS)
	}
	s := fmt.Sprintf("disk credits of %s (%d) ran out %s after inject: throttle rewritten from %d to %d IOPS, read back %d",
		ev.Node, ev.Credits, sec(ev.RanOutAfter), v.BurstIOPS, v.BaselineIOPS, ev.ReadBack.WriteIOPS)
	if ev.SyncWriteBurst > 0 && ev.SyncWriteBaseline > 0 {
		s += fmt.Sprintf("; sync write %v at burst, %v at baseline",
			ev.SyncWriteBurst.Round(time.Microsecond), ev.SyncWriteBaseline.Round(time.Microsecond))
	}
	return s
}
