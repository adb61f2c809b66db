package disk

import (
	"testing"
	"time"
)

// A bucket fed a sequence of served-I/O counts: a workload above the
// baseline drains it at the excess rate, the limit falls to baseline when
// the balance reaches 0, an idle volume refills it at the baseline rate, and
// the burst limit returns once the balance is back at the re-arm level.
func TestBucketDrainRefillAndLimitSwitching(t *testing.T) {
	// 1000 credits, 100 credits/s baseline, burst again at 300.
	b := NewBucket(1000, 1000, 100, 300)
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	steps := []struct {
		at        float64
		ios       int64 // cumulative
		balance   float64
		exhausted bool
		switched  bool
	}{
		{0, 0, 1000, false, false},     // origin: nothing spent
		{1, 100, 1000, false, false},   // at baseline: balance stays full
		{2, 500, 700, false, false},    // 400 I/Os in 1 s: 300 above baseline
		{3, 1100, 200, false, false},   // 600/s: drains 500
		{3.5, 1500, 0, true, true},     // 800/s: overdrawn → clamped at 0, baseline applies
		{4.5, 1600, 0, true, false},    // held to baseline: 100/s, nothing accrues
		{5.5, 1600, 100, true, false},  // idle: refills at 100/s
		{7.5, 1600, 300, false, true},  // refilled to the re-arm level: burst again
		{20, 1600, 1000, false, false}, // idle long: capped at the capacity
		{21, 1000, 1000, false, false}, // counter went backwards: new origin, nothing spent
		{22, 2900, 0, true, true},      // 1900 in 1 s: exhausted again
	}
	for _, s := range steps {
		st := b.Observe(Reading{At: sec(s.at), IOs: s.ios})
		if st.Balance != s.balance || st.Exhausted != s.exhausted || st.Switched != s.switched {
			t.Errorf("at %gs with %d I/Os: balance %g exhausted %v switched %v; want %g %v %v",
				s.at, s.ios, st.Balance, st.Exhausted, st.Switched, s.balance, s.exhausted, s.switched)
		}
	}
}

// The time the balance reaches 0 depends on the I/O rate, not on the clock:
// the same bucket drained at twice the excess rate runs out in half the time.
func TestBucketExhaustionFollowsTheWorkload(t *testing.T) {
	zeroAt := func(rate int64) time.Duration {
		b := NewBucket(2000, 2000, 100, 100)
		for s := int64(0); s <= 100; s++ {
			if st := b.Observe(Reading{At: time.Duration(s) * time.Second, IOs: s * rate}); st.Exhausted {
				return st.At
			}
		}
		return -1
	}
	if a, b := zeroAt(300), zeroAt(500); a != 10*time.Second || b != 5*time.Second {
		t.Errorf("exhausted at %v with 300 IOPS and %v with 500; want 10s and 5s", a, b)
	}
	if z := zeroAt(100); z != -1 {
		t.Errorf("a workload at the baseline exhausted the bucket at %v", z)
	}
}

func TestBucketInitialBalanceAndRearmClamp(t *testing.T) {
	if b := NewBucket(100, 0, 10, 500); !b.Exhausted() || b.rearm != 100 {
		t.Errorf("empty bucket: exhausted %v rearm %g; want true, rearm clamped to the capacity", b.Exhausted(), b.rearm)
	}
	if b := NewBucket(100, 400, 10, 0); b.Balance() != 100 || b.rearm != 1 {
		t.Errorf("initial above capacity: balance %g rearm %g; want 100 and 1", b.Balance(), b.rearm)
	}
}
