package runner

import (
	"fmt"
	"time"
)

// Window is the count of completions in one second of the run.
type Window struct {
	OK, Fail, Info int
}

// ErrorRate is the fraction of completions that were fail or info. A window
// without any completion counts as 1: clients are stalled, nothing succeeds.
func (w Window) ErrorRate() float64 {
	n := w.OK + w.Fail + w.Info
	if n == 0 {
		return 1
	}
	return float64(w.Fail+w.Info) / float64(n)
}

// AbortDetector ends a run when the error rate stays at or above a threshold
// for a sustained time. It is fed one window per second.
type AbortDetector struct {
	Rate float64       // 0..1; 0 disables the detector
	For  time.Duration // sustained for this long
	bad  int           // consecutive bad windows
}

// Observe feeds one second; it reports whether the run must abort and why.
func (d *AbortDetector) Observe(w Window) (bool, string) {
	if d == nil || d.Rate <= 0 || d.For <= 0 {
		return false, ""
	}
	if w.ErrorRate() >= d.Rate {
		d.bad++
	} else {
		d.bad = 0
	}
	need := int((d.For + time.Second - 1) / time.Second)
	if d.bad >= need {
		return true, fmt.Sprintf("error rate ≥ %.0f%% for %v", d.Rate*100, d.For)
	}
	return false, ""
}
