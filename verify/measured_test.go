package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

func TestWorstIgnoresMeasured(t *testing.T) {
	for _, c := range []struct {
		in   []Status
		want Status
	}{
		{[]Status{Measured}, Valid},
		{[]Status{Valid, Measured}, Valid},
		{[]Status{Measured, Unknown}, Unknown},
		{[]Status{Measured, Invalid, Unknown}, Invalid},
	} {
		var vs []Verdict
		for _, s := range c.in {
			vs = append(vs, Verdict{Status: s})
		}
		if got := Worst(vs); got != c.want {
			t.Errorf("Worst(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

// An async failover at 30 s lost every write acknowledged from 11.6 s on:
// 18.4 s of acknowledged writes. Without an rpo threshold that is measured
// and shown, not judged valid.
func TestRPOWithoutThresholdIsMeasured(t *testing.T) {
	h := &hist{}
	var kept []int64
	for ms := 0; ms < 40000; ms += 100 {
		h.add(0, "n1", int64(ms), msec(ms), history.OK, msec(ms+10))
		if ms < 11600 || ms > 30000 {
			kept = append(kept, int64(ms))
		}
	}
	h.fault(10, "f1", "partition", history.FaultStart)
	h.fault(30, "p", "promote", history.FaultAction)
	h.fault(35, "f1", "partition", history.FaultHealed)
	in := func(th Thresholds) *Input {
		return &Input{Events: h.events(), Final: ledgerFinal(map[string][]int64{"n1": kept}), Thresholds: th}
	}
	v := RPO{}.Check(context.Background(), in(Thresholds{}))
	wantStatus(t, v, Measured)
	if w := window(t, v, "rpo"); w.Status != Measured || w.Value != sec(30.01)-sec(11.61) {
		t.Fatalf("rpo window: %+v", w)
	}
	if !strings.Contains(v.Summary, "worst 18.4s, no threshold set") {
		t.Errorf("summary %q", v.Summary)
	}
	wantStatus(t, RPO{}.Check(context.Background(), in(Thresholds{RPO: dur(20 * time.Second)})), Valid)
	wantStatus(t, RPO{}.Check(context.Background(), in(Thresholds{RPO: dur(10 * time.Second)})), Invalid)
}
