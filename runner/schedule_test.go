package runner

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestTimeline runs the golden files of testdata/: `schedule` resolves a
// timeline, `abort` feeds per-second windows to the abort detector, `run`
// runs a whole scenario against a fake cluster (lifecycle.txt).
// Rewrite the expectations with: go test ./runner -run TestTimeline -rewrite
func TestTimeline(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "schedule":
				return runSchedule(t, d)
			case "abort":
				return runAbort(t, d)
			case "run":
				return runLifecycle(t, d)
			}
			t.Fatalf("unknown command %q", d.Cmd)
			return ""
		})
	})
}

func runSchedule(t *testing.T, d *datadriven.TestData) string {
	var dur string
	d.ScanArgs(t, "duration", &dur)
	var steps []StepTiming
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		if line == "" {
			continue
		}
		s := StepTiming{Heal: true}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "at":
				s.At = mustDur(t, v)
			case "for":
				s.For = mustDur(t, v)
			case "heal":
				s.Heal = v == "true"
			}
		}
		steps = append(steps, s)
	}
	return FormatSchedule(Schedule(steps, mustDur(t, dur)))
}

func runAbort(t *testing.T, d *datadriven.TestData) string {
	var rate, dur string
	d.ScanArgs(t, "rate", &rate)
	d.ScanArgs(t, "for", &dur)
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil {
		t.Fatal(err)
	}
	det := &AbortDetector{Rate: r, For: mustDur(t, dur)}
	var out strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		var w Window
		if _, err := fmt.Sscanf(line, "ok=%d fail=%d info=%d", &w.OK, &w.Fail, &w.Info); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		abort, why := det.Observe(w)
		fmt.Fprintf(&out, "%ds rate=%.2f", i+1, w.ErrorRate())
		if abort {
			fmt.Fprintf(&out, " ABORT %s\n", why)
			break
		}
		out.WriteByte('\n')
	}
	return out.String()
}

func mustDur(t *testing.T, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
