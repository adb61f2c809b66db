package clock

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets"
)

// A drift is libfaketime's speed factor. With a relative offset and a
// factor x, libfaketime reports
//
//	start + (now − start)·x + offset
//
// where start is the real time its library was initialised in the process
// (mariadbd's start). Switching a running process from x1 to x1.005 would
// therefore jump its clock by (now − start)·0.005 at once; the line written
// subtracts that, so the clock leaves true time smoothly at the moment of the
// injection. FAKETIME_XRESET would do the same but also keeps the gained time
// when the factor goes back to 1, so recovery could not return the clock to
// true time; it is not used. A line without an x modifier leaves the last
// factor in force, so recovery writes an explicit " x1".

// DriftWindow is how long Verify watches the clock walk away.
const DriftWindow = 2 * time.Second

// userHZ is the unit of /proc/PID/stat's starttime (USER_HZ, 100 on Linux).
const userHZ = 100

// WithDrift makes the skew a drift of ppm parts per million from its
// offset on; pid is the node's mariadbd, whose age the line compensates.
func (f *Skew) WithDrift(ppm float64, pid int) *Skew {
	f.p.Drift, f.p.PID = ppm, pid
	return f
}

// DriftSpec is the faketime line that steps the clock by offset and makes it
// run at 1 + ppm/10⁶ from now on, in a process initialised age ago.
func DriftSpec(offset time.Duration, ppm float64, age time.Duration) string {
	if ppm == 0 {
		return FormatOffset(offset)
	}
	gained := time.Duration(float64(age) * ppm / 1e6)
	return FormatOffset(offset-gained) + " x" + FormatFactor(1+ppm/1e6)
}

// FormatFactor writes a speed factor with at most nine decimals ("1.005").
func FormatFactor(x float64) string {
	s := strconv.FormatFloat(x, 'f', 9, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// processAge is how long ago process pid started.
func processAge(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command (which may hold spaces) start after its ')'.
	i := strings.LastIndexByte(string(b), ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64) // field 22: starttime
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat starttime: %w", pid, err)
	}
	var now unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &now); err != nil {
		return 0, err
	}
	return time.Duration(now.Nano()) - time.Duration(ticks)*time.Second/userHZ, nil
}

// line is what Inject writes: the offset alone, or the offset and the
// factor compensated for mariadbd's age.
func (f *Skew) line() (string, error) {
	if f.p.Drift == 0 {
		return FormatOffset(f.p.Offset), nil
	}
	age, err := processAge(f.p.PID)
	if err != nil {
		return "", fmt.Errorf("age of mariadbd %d: %w", f.p.PID, err)
	}
	return DriftSpec(f.p.Offset, f.p.Drift, age), nil
}

// restored is what Recover writes: the previous line, with an explicit x1
// after a drift (libfaketime keeps the last factor otherwise).
func (f *Skew) restored() string {
	prev := f.p.Prev
	if prev == "" {
		prev = "+0"
	}
	if f.p.Drift != 0 && !strings.Contains(prev, "x") {
		prev += " x1"
	}
	return prev
}

// DriftEvidence is the measured rate of a drifting node's clock: its offset
// from the harness at two instants DriftWindow apart.
type DriftEvidence struct {
	WantOffset   time.Duration `json:"wantOffset"`
	WantPPM      float64       `json:"wantPpm"`
	MeasuredPPM  float64       `json:"measuredPpm"`
	TolerancePPM float64       `json:"tolerancePpm"`
	Offset0      time.Duration `json:"offset0"`
	Offset1      time.Duration `json:"offset1"`
	Elapsed      time.Duration `json:"elapsed"` // harness time between the two
	RTT0         time.Duration `json:"rtt0"`
	RTT1         time.Duration `json:"rtt1"`
}

// verifyDrift measures the rate. It holds when the first offset is the
// requested step (within Tolerance: no jump from mariadbd's age) and the
// rate is within 10% of the requested one plus what the two round trips
// leave uncertain.
func (f *Skew) verifyDrift(ctx context.Context) (injectors.Evidence, error) {
	s0, err := bestSample(ctx, f)
	if err != nil {
		return injectors.Evidence{}, err
	}
	select {
	case <-ctx.Done():
		return injectors.Evidence{}, fmt.Errorf("verify clock drift on %s: %w", f.p.Node, ctx.Err())
	case <-time.After(DriftWindow):
	}
	s1, err := bestSample(ctx, f)
	if err != nil {
		return injectors.Evidence{}, err
	}
	ev := driftEvidence(f.p.Offset, f.p.Drift, s0, s1)
	held := near(ev.Offset0, f.p.Offset) && absF(ev.MeasuredPPM-ev.WantPPM) <= ev.TolerancePPM
	sum := fmt.Sprintf("clock of %s drifts %.0fppm against the harness (want %.0fppm ± %.0f), %v off at the start (want %v)",
		f.p.Node, ev.MeasuredPPM, ev.WantPPM, ev.TolerancePPM, ev.Offset0.Round(100*time.Microsecond), f.p.Offset)
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: held, Summary: sum, Data: b}, nil
}

// sample is one offset measurement at a harness instant.
type sample struct {
	at       time.Time
	off, rtt time.Duration
}

func bestSample(ctx context.Context, f *Skew) (sample, error) {
	at, ev, err := BestOffset(ctx, *f.node, 3)
	if err != nil {
		return sample{}, fmt.Errorf("verify clock drift on %s: %w", f.p.Node, err)
	}
	return sample{at: at, off: ev.Measured, rtt: ev.RTT}, nil
}

// BestOffset keeps, of tries measurements of the node's offset, the one
// with the shortest round trip (the least uncertain), and when it began.
func BestOffset(ctx context.Context, n targets.Node, tries int) (time.Time, Evidence, error) {
	var at time.Time
	var best Evidence
	for i := range max(tries, 1) {
		now := time.Now()
		ev, err := MeasureOffset(ctx, n)
		if err != nil {
			return time.Time{}, Evidence{}, err
		}
		if i == 0 || ev.RTT < best.RTT {
			at, best = now, ev
		}
	}
	return at, best, nil
}

func driftEvidence(offset time.Duration, ppm float64, s0, s1 sample) DriftEvidence {
	el := s1.at.Sub(s0.at)
	ev := DriftEvidence{WantOffset: offset, WantPPM: ppm, Offset0: s0.off, Offset1: s1.off,
		Elapsed: el, RTT0: s0.rtt, RTT1: s1.rtt}
	if el > 0 {
		ev.MeasuredPPM = float64(s1.off-s0.off) / float64(el) * 1e6
		ev.TolerancePPM = 0.1*absF(ppm) + float64(s0.rtt+s1.rtt)/2/float64(el)*1e6
	}
	return ev
}

func absF(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Observed is a skew (or drift) of node n that another process applied —
// the node agent, inside a pod — for its Verify alone: it measures n's
// clock through n's own connection and never writes anything.
func Observed(n targets.Node, offset time.Duration, ppm float64) *Skew {
	return &Skew{p: Params{Node: n.Name, Offset: offset, Drift: ppm}, node: &n}
}
