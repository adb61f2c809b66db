package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// MaxDriftPPM bounds a clock drift: ±100000 ppm is a clock running 10%
// fast or slow. An unsynchronised crystal drifts by tens of ppm; a test
// accelerates that by a few thousand. Beyond 10% it is no longer a drift:
// libfaketime scales the node's sleeps and poll timeouts by the same factor,
// so Galera's and InnoDB's timers would change with it. The bound also
// keeps the speed factor (1 + ppm/10⁶) well above 0, where libfaketime
// would divide by zero.
const MaxDriftPPM = 100_000

// Drift is a clock's rate error in parts per million, written "5000ppm"
// or "-200ppm": the node's clock gains (or, negative, loses) that many
// microseconds every second.
type Drift float64

var driftType = reflect.TypeOf(Drift(0))

// ParseDrift parses a rate like "5000ppm", "-200ppm" or "0.5ppm".
func ParseDrift(s string) (Drift, error) {
	s = strings.TrimSpace(s)
	num, ok := strings.CutSuffix(s, "ppm")
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("expected a drift rate like 5000ppm or -200ppm, got %q", s)
	}
	return Drift(f), nil
}

// PPM is the rate in parts per million.
func (d Drift) PPM() float64 { return float64(d) }

// String formats as Nppm.
func (d Drift) String() string { return strconv.FormatFloat(float64(d), 'g', -1, 64) + "ppm" }

// MarshalJSON writes the rate as a string.
func (d Drift) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a rate string.
func (d *Drift) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a drift rate string like 5000ppm, got %s", b)
	}
	v, err := ParseDrift(s)
	*d = v
	return err
}

// clockSkew's rules: a step or a drift (or both), a drift within bounds,
// nodes under libfaketime.
func (v *validator) clockSkew(p string, c *ClockSkew) {
	if c.Offset == 0 && c.Drift == 0 {
		v.errorf(join(p, "offset"), "offset 0 changes nothing; expected a non-zero offset like +1h or -30s, or a drift like 5000ppm")
	}
	if math.Abs(c.Drift.PPM()) > MaxDriftPPM {
		v.errorf(join(p, "drift"), "drift %s; expected |drift| ≤ %dppm (a clock at most 10%% fast or slow)", c.Drift, MaxDriftPPM)
	}
	if l := v.s.Spec.Target.Local; l != nil && l.Faketime != nil && !*l.Faketime {
		v.errorf(p, "clockSkew needs nodes started under faketime; expected spec.target.local.faketime: true")
	}
}

// inversionsAllowed checks the timestamp-order threshold as threshold
// checks a duration: not negative, its check runs for the workload and,
// when checks are listed, is among them.
func (v *validator) inversionsAllowed(p string, n *int, checks map[string]bool, explicit bool) {
	if n == nil {
		return
	}
	const field = "timestampOrder"
	if *n < 0 {
		v.errorf(join(p, field), "%s %d; expected the number of inversions allowed, ≥ 0", field, *n)
	}
	kind := v.s.Spec.Workload.Kind
	switch {
	case contains(workloadKinds, kind) && !applies(CheckTimestampOrder, kind):
		v.errorf(join(p, field), "%s threshold, but the %s check does not apply to %s workloads (the ledger workload stamps its rows); expected no %s",
			field, CheckTimestampOrder, kind, field)
	case explicit && !checks[CheckTimestampOrder]:
		v.errorf(join(p, field), "%s threshold without the %s check; expected %s in verify.checks", field, CheckTimestampOrder, CheckTimestampOrder)
	}
}
