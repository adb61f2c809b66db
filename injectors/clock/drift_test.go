package clock

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/targets"
)

func TestDriftSpec(t *testing.T) {
	for _, tc := range []struct {
		offset time.Duration
		ppm    float64
		age    time.Duration
		want   string
	}{
		{0, 5000, 100 * time.Second, "-0.5 x1.005"},  // 100 s · 0.005 already gained: subtract it
		{time.Hour, 5000, 0, "+3600 x1.005"},         // a fresh process: the offset alone
		{0, -200, 50 * time.Second, "+0.01 x0.9998"}, // a slow clock has lost time: add it back
		{10 * time.Second, 0, time.Hour, "+10"},      // no drift: a plain step
		{0, 100000, 10 * time.Second, "-1 x1.1"},     // the largest drift validation accepts
		{-time.Second, 1, 1000 * time.Second, "-1.001 x1.000001"},
	} {
		if got := DriftSpec(tc.offset, tc.ppm, tc.age); got != tc.want {
			t.Errorf("DriftSpec(%v, %v, %v) = %q, want %q", tc.offset, tc.ppm, tc.age, got, tc.want)
		}
	}
}

func TestProcessAge(t *testing.T) {
	age, err := processAge(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if age <= 0 || age > time.Hour {
		t.Fatalf("age of this test process = %v", age)
	}
	if _, err := processAge(1 << 30); err == nil {
		t.Error("age of a process that does not exist")
	}
}

func TestDriftFileLifecycle(t *testing.T) {
	file := filepath.Join(t.TempDir(), "faketime")
	os.WriteFile(file, []byte("+0\n"), 0o644)
	f, err := New("r", targets.Node{Name: "n1"}, file, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WithDrift(5000, os.Getpid())
	if err := f.Inject(t.Context()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	off, factor, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !ok || factor != "x1.005" || !strings.HasPrefix(off, "-") {
		t.Errorf("after inject: %q, want a negative compensation and x1.005", b)
	}
	g, err := FromParams(f.Params())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Recover(t.Context()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); strings.TrimSpace(string(b)) != "+0 x1" {
		t.Errorf("after recover: %q, want +0 x1 (a line without x keeps the factor)", b)
	}
}

func TestDriftEvidence(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s0 := sample{at: t0, off: time.Millisecond, rtt: 400 * time.Microsecond}
	s1 := sample{at: t0.Add(2 * time.Second), off: 11 * time.Millisecond, rtt: 400 * time.Microsecond}
	ev := driftEvidence(0, 5000, s0, s1)
	if math.Abs(ev.MeasuredPPM-5000) > 1e-6 {
		t.Errorf("measured %v ppm, want 5000", ev.MeasuredPPM)
	}
	if want := 500 + 200.0; math.Abs(ev.TolerancePPM-want) > 1e-6 { // 10% + 400 µs over 2 s
		t.Errorf("tolerance %v ppm, want %v", ev.TolerancePPM, want)
	}
}
