package workloads

import (
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

func TestPacerUnlimited(t *testing.T) {
	p := newPacer(0, false, 0)
	now := time.Now()
	if got := p.take(now); !got.Equal(now) {
		t.Fatalf("unlimited pacer delayed to %v", got.Sub(now))
	}
}

func TestPacerClosedLoopDoesNotCatchUp(t *testing.T) {
	p := newPacer(100, false, 0) // 10 ms slots
	t0 := time.Now()
	if s := p.take(t0); !s.Equal(t0) {
		t.Fatal("first slot not now")
	}
	if s := p.take(t0); s.Sub(t0) != 10*time.Millisecond {
		t.Fatalf("second slot at +%v", s.Sub(t0))
	}
	late := t0.Add(time.Second) // every client was busy for a second
	if s := p.take(late); !s.Equal(late) {
		t.Fatalf("closed loop slot after a stall at %v, want now", s.Sub(late))
	}
	if s := p.take(late); s.Sub(late) != 10*time.Millisecond {
		t.Fatalf("closed loop burst after a stall: next slot at +%v", s.Sub(late))
	}
}

func TestPacerOpenLoopKeepsSchedule(t *testing.T) {
	p := newPacer(100, true, 500*time.Millisecond)
	t0 := time.Now()
	p.take(t0)
	late := t0.Add(200 * time.Millisecond)
	if s := p.take(late); s.Sub(t0) != 10*time.Millisecond {
		t.Fatalf("open loop slot at +%v, want the scheduled +10ms", s.Sub(t0))
	}
	if p.Dropped() != 0 {
		t.Fatalf("dropped %d within max lag", p.Dropped())
	}
	// A 2 s stall: slots older than 500 ms are dropped, not replayed.
	stall := t0.Add(2 * time.Second)
	s := p.take(stall)
	if lag := stall.Sub(s); lag > 500*time.Millisecond || lag < 490*time.Millisecond {
		t.Fatalf("slot after stall lags %v, want just under 500ms", lag)
	}
	if d := p.Dropped(); d < 145 || d > 155 {
		t.Fatalf("dropped %d slots, want about 150", d)
	}
}

func TestLatencyWindows(t *testing.T) {
	l := newLatencies()
	sec := int64(time.Second)
	l.add(sec/2, history.OK, time.Millisecond)
	l.add(sec/2, history.Fail, 3*time.Millisecond)
	l.add(3*sec+1, history.Info, 5*time.Second)
	st := l.snapshot(7)
	if len(st.Windows) != 4 {
		t.Fatalf("%d windows, want 4 (0,1,2 closed, 3 open): %+v", len(st.Windows), st.Windows)
	}
	w0, w3 := st.Windows[0], st.Windows[3]
	if w0.OK != 1 || w0.Fail != 1 || w0.Max < 2900*time.Microsecond || w0.P50 > 1100*time.Microsecond {
		t.Fatalf("window 0: %+v", w0)
	}
	if st.Windows[1].OK+st.Windows[1].Fail+st.Windows[1].Info != 0 || st.Windows[2].Start != 2*sec {
		t.Fatalf("empty windows: %+v", st.Windows[1:3])
	}
	if w3.Info != 1 || w3.Start != 3*sec || w3.Max < 4900*time.Millisecond {
		t.Fatalf("window 3: %+v", w3)
	}
	if st.Total.OK != 1 || st.Total.Fail != 1 || st.Total.Info != 1 || st.Dropped != 7 {
		t.Fatalf("total %+v dropped %d", st.Total, st.Dropped)
	}
	if st.OKRate.Mean != 1.0/3 {
		t.Fatalf("ok rate %+v", st.OKRate)
	}
}
