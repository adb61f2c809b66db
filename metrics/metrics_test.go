package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"faultline.dev/faultline/history"
)

// sliceRecorder stands for the history writer.
type sliceRecorder struct{ events []*history.Event }

func (s *sliceRecorder) Record(e *history.Event) { s.events = append(s.events, e) }

func ms(n int64) int64 { return n * int64(time.Millisecond) }

// A recorded sequence of operations, through the wrapping recorder: the
// history receives every event and the counters and latencies match it.
func TestCountersMatchRecordedEvents(t *testing.T) {
	m := New(Run{ID: "r1", Scenario: "s", Planned: 6 * time.Second})
	hist := &sliceRecorder{}
	rec := m.Recorder(hist)
	seq := []history.Event{
		{Process: 0, Type: history.Invoke, F: "add", Time: ms(0)},
		{Process: 1, Type: history.Invoke, F: "read", Time: ms(1)},
		{Process: 0, Type: history.OK, F: "add", Time: ms(3)},       // 3 ms
		{Process: 1, Type: history.Info, F: "read", Time: ms(1201)}, // 1.2 s
		{Process: 0, Type: history.Invoke, F: "add", Time: ms(10), Intended: ms(4)},
		{Process: 0, Type: history.Fail, F: "add", Time: ms(44)}, // 40 ms from the intended start
		{Process: 2, Type: history.Invoke, F: "add", Time: ms(50)},
		{Process: 2, Type: history.OK, F: "add", Time: ms(50) + 400*int64(time.Microsecond)}, // 0.4 ms
	}
	for i := range seq {
		rec.Record(&seq[i])
	}
	if len(hist.events) != len(seq) {
		t.Fatalf("history got %d events, want %d", len(hist.events), len(seq))
	}
	want := `
# HELP faultline_operations_total Completed client operations by operation (f) and outcome (ok, fail, info), as recorded in the history.
# TYPE faultline_operations_total counter
faultline_operations_total{f="add",outcome="fail"} 1
faultline_operations_total{f="add",outcome="ok"} 2
faultline_operations_total{f="read",outcome="info"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "faultline_operations_total"); err != nil {
		t.Fatal(err)
	}
	checkBucket(t, m, "add", "ok", 0.0005, 1)  // the 0.4 ms add
	checkBucket(t, m, "add", "ok", 0.005, 2)   // and the 3 ms one
	checkBucket(t, m, "add", "fail", 0.025, 0) // 40 ms: not under 25 ms …
	checkBucket(t, m, "add", "fail", 0.05, 1)  // … under 50 ms
	checkBucket(t, m, "read", "info", 1, 0)
	checkBucket(t, m, "read", "info", 2.5, 1)
}

// checkBucket asserts the cumulative count of the f/outcome histogram at le.
func checkBucket(t *testing.T, m *Metrics, f, outcome string, le float64, want uint64) {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range fams {
		if fam.GetName() != "faultline_operation_duration_seconds" {
			continue
		}
		for _, mt := range fam.GetMetric() {
			if label(mt.GetLabel(), "f") != f || label(mt.GetLabel(), "outcome") != outcome {
				continue
			}
			for _, b := range mt.GetHistogram().GetBucket() {
				if b.GetUpperBound() == le {
					if got := b.GetCumulativeCount(); got != want {
						t.Errorf("%s/%s le=%g: %d, want %d", f, outcome, le, got, want)
					}
					return
				}
			}
		}
	}
	t.Errorf("%s/%s le=%g: no such bucket", f, outcome, le)
}

// A fault's gauge follows what the runner says after each event; events are
// counted by phase.
func TestFaultGaugeAndEvents(t *testing.T) {
	m := New(Run{ID: "r1"})
	ev := func(phase history.FaultPhase) *history.FaultEvent {
		return &history.FaultEvent{ID: "step-0", Kind: "kill", Phase: phase}
	}
	active := m.active.WithLabelValues("step-0", "kill")
	m.Fault(ev(history.FaultStart), false)
	if v := testutil.ToFloat64(active); v != 0 {
		t.Fatalf("active before the injection = %v", v)
	}
	m.Fault(ev(history.FaultEffect), true)
	if v := testutil.ToFloat64(active); v != 1 {
		t.Fatalf("active once injected = %v", v)
	}
	m.Fault(ev(history.FaultHealed), false)
	if v := testutil.ToFloat64(active); v != 0 {
		t.Fatalf("active after the heal = %v", v)
	}
	for _, phase := range []string{"start", "effect", "healed"} {
		if v := testutil.ToFloat64(m.faultEvs.WithLabelValues("step-0", "kill", phase)); v != 1 {
			t.Errorf("fault events %s = %v, want 1", phase, v)
		}
	}
}

// A nil *Metrics (metrics off) takes every call and passes events through.
func TestNilMetricsRecordsNothing(t *testing.T) {
	var m *Metrics
	hist := &sliceRecorder{}
	rec := m.Recorder(hist)
	rec.Record(&history.Event{Type: history.Invoke})
	m.Op(&history.Event{Type: history.OK})
	m.Fault(&history.FaultEvent{}, true)
	m.Probes(0, nil)
	m.StartClock(func() int64 { return 0 })
	m.Finish()
	if len(hist.events) != 1 || rec != EventRecorder(hist) {
		t.Fatalf("nil metrics: recorder %T, %d events", rec, len(hist.events))
	}
}
