package reports

import (
	"testing"
	"time"
)

func TestTimeAxisTicks(t *testing.T) {
	for _, c := range []struct {
		span      float64
		step      float64
		at        float64
		wantLabel string
	}{
		{60, 10, 30, "30s"},
		{600, 60, 300, "5m"},
		{7200, 900, 2700, "45m"},
		{7200, 900, 4500, "1h15m"},
		{36000, 3600, 7200, "2h"},
		{0.5, 1, 0, "0"},
		{7200, 900, 3600, "1h"},
	} {
		if got := timeStep(c.span, 10); got != c.step {
			t.Errorf("timeStep(%v) = %v, want %v", c.span, got, c.step)
		}
		if got := fmtTick(c.at, c.step); got != c.wantLabel {
			t.Errorf("fmtTick(%v, %v) = %q, want %q", c.at, c.step, got, c.wantLabel)
		}
	}
}

func TestFormatTimes(t *testing.T) {
	for _, c := range []struct {
		ns  time.Duration
		at  string
		dur string
	}{
		{0, "0.0s", "0s"},
		{850 * time.Microsecond, "0.0s", "850µs"},
		{12300 * time.Millisecond, "12.3s", "12.3s"},
		{50 * time.Minute, "50m00s", "50m00s"},
		{2*time.Hour + 5*time.Second, "2h00m05s", "2h00m05s"},
	} {
		if got := fmtAt(int64(c.ns)); got != c.at {
			t.Errorf("fmtAt(%v) = %q, want %q", c.ns, got, c.at)
		}
		if got := fmtDur(int64(c.ns)); got != c.dur {
			t.Errorf("fmtDur(%v) = %q, want %q", c.ns, got, c.dur)
		}
	}
}

func TestClipCutsAtALineEnd(t *testing.T) {
	if got := clip("short", 10); got != "short" {
		t.Errorf("clip(short) = %q", got)
	}
	if got := clip("line one\nline two\nline three", 20); got != "line one\nline two\n… 11 more bytes in report.html" {
		t.Errorf("clip = %q", got)
	}
}
