package scenarios

import "testing"

func TestParseDrift(t *testing.T) {
	for in, want := range map[string]Drift{"5000ppm": 5000, "-200ppm": -200, " 0.5ppm ": 0.5, "1e3ppm": 1000} {
		if got, err := ParseDrift(in); err != nil || got != want {
			t.Errorf("ParseDrift(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"5000", "ppm", "5000 ppb", "fastppm", "NaNppm", "+Infppm"} {
		if _, err := ParseDrift(in); err == nil {
			t.Errorf("ParseDrift(%q) accepted", in)
		}
	}
}

// A drift alone is a clock skew: the offset may be left out.
func TestDriftAloneIsAccepted(t *testing.T) {
	s := load(t, doc{faults: step("select: {nodes: [n2]}", "clockSkew: {drift: 5000ppm}")})
	c := s.Spec.Faults[0].ClockSkew
	if c == nil || c.Drift.PPM() != 5000 || c.Offset != 0 {
		t.Fatalf("clockSkew = %+v", c)
	}
}
