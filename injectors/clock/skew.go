// Package clock holds the clock fault of the local lab: a node's mariadbd
// runs under libfaketime reading its offset from a per-node file, so a skew
// is a write to that file and its recovery writes the previous content back.
package clock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/internal/fsutil"
	"faultline.dev/faultline/targets"
)

// Kind is the registered kind of a clock skew.
const Kind = "clockSkew"

// Tolerance is how far the measured offset may be from the requested one.
const Tolerance = 100 * time.Millisecond

// Params is everything needed to apply and undo a skew.
type Params struct {
	RunID  string        `json:"runId"`
	Node   string        `json:"node"`
	File   string        `json:"file"`
	Offset time.Duration `json:"offset"`
	Prev   string        `json:"prev"` // the file's content before the skew
	// Drift, in ppm, makes the clock run fast (or slow) from the step on;
	// PID is the mariadbd whose age the faketime line compensates.
	Drift float64 `json:"driftPpm,omitempty"`
	PID   int     `json:"pid,omitempty"`
}

// Skew steps a node's wall clock by an offset.
type Skew struct {
	p    Params
	node *targets.Node // for Verify; nil when rebuilt from Params
}

var (
	_ injectors.Fault    = (*Skew)(nil)
	_ injectors.Verifier = (*Skew)(nil)
)

// New builds a skew of node n whose faketime file is file; it reads the
// file's current content so recovery can restore it.
func New(runID string, n targets.Node, file string, offset time.Duration) (*Skew, error) {
	if file == "" {
		return nil, fmt.Errorf("clock skew on %s: the node does not run under libfaketime (start the lab with faketime enabled)", n.Name)
	}
	prev, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("clock skew on %s: read faketime file: %w", n.Name, err)
	}
	return &Skew{p: Params{RunID: runID, Node: n.Name, File: file, Offset: offset,
		Prev: strings.TrimSpace(string(prev))}, node: &n}, nil
}

// FromParams rebuilds a skew from its Params.
func FromParams(raw json.RawMessage) (*Skew, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("clock skew params: %w", err)
	}
	return &Skew{p: p}, nil
}

// Kind is "clockSkew".
func (*Skew) Kind() string { return Kind }

// Params is the JSON of Params.
func (f *Skew) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

// FormatOffset writes an offset as libfaketime reads it: signed seconds,
// with a fraction only when there is one ("+3600", "-1.5").
func FormatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	if d%time.Second == 0 {
		return sign + strconv.FormatInt(int64(d/time.Second), 10)
	}
	return sign + strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// Inject writes the offset (and the drift's speed factor) to the node's
// faketime file.
func (f *Skew) Inject(ctx context.Context) error {
	line, err := f.line()
	if err != nil {
		return fmt.Errorf("inject clock skew on %s: %w", f.p.Node, err)
	}
	if err := fsutil.WriteFileAtomic(f.p.File, []byte(line+"\n"), 0o644); err != nil {
		return fmt.Errorf("inject clock skew on %s: %w", f.p.Node, err)
	}
	return nil
}

// Recover writes the previous content back ("+0" when there was none, with
// " x1" after a drift). A missing file (the lab is gone) is fine.
func (f *Skew) Recover(ctx context.Context) error {
	prev := f.restored()
	if _, err := os.Stat(f.p.File); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := fsutil.WriteFileAtomic(f.p.File, []byte(prev+"\n"), 0o644); err != nil {
		return fmt.Errorf("recover clock skew on %s: %w", f.p.Node, err)
	}
	return nil
}

// Evidence is the measured offset of the node's clock.
type Evidence struct {
	Want     time.Duration `json:"want"`
	Measured time.Duration `json:"measured"`
	RTT      time.Duration `json:"rtt"`
}

// Verify reads UNIX_TIMESTAMP(NOW(6)) on the node and compares it with the
// harness's wall clock at the middle of the round trip; it holds within
// Tolerance of the requested offset.
func (f *Skew) Verify(ctx context.Context) (injectors.Evidence, error) {
	if f.node == nil {
		return injectors.Evidence{}, fmt.Errorf("verify clock skew on %s: no SQL endpoint (fault rebuilt from params)", f.p.Node)
	}
	if f.p.Drift != 0 {
		return f.verifyDrift(ctx)
	}
	var ev Evidence
	var err error
	for range 10 { // libfaketime rereads the file; allow it a moment
		if ev, err = MeasureOffset(ctx, *f.node); err == nil && near(ev.Measured, f.p.Offset) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify clock skew on %s: %w", f.p.Node, err)
	}
	ev.Want = f.p.Offset
	held := near(ev.Measured, f.p.Offset)
	sum := fmt.Sprintf("clock of %s is %v off the harness (want %v ± %v)", f.p.Node, ev.Measured.Round(time.Millisecond), f.p.Offset, Tolerance)
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: held, Summary: sum, Data: b}, nil
}

func near(got, want time.Duration) bool { return (got - want).Abs() <= Tolerance }

// MeasureOffset is the node's clock minus the harness's.
func MeasureOffset(ctx context.Context, n targets.Node) (Evidence, error) {
	db, err := n.OpenDB("", 3*time.Second)
	if err != nil {
		return Evidence{}, err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return Evidence{}, fmt.Errorf("connect %s: %w", n.Addr(), err)
	}
	t0 := time.Now()
	var ts string
	if err := db.QueryRowContext(ctx, "SELECT UNIX_TIMESTAMP(NOW(6))").Scan(&ts); err != nil {
		return Evidence{}, fmt.Errorf("SELECT NOW(6) on %s: %w", n.Name, err)
	}
	rtt := time.Since(t0)
	secs, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return Evidence{}, fmt.Errorf("NOW(6) on %s: %q: %w", n.Name, ts, err)
	}
	server := time.Unix(0, int64(secs*1e9))
	return Evidence{Measured: server.Sub(t0.Add(rtt / 2)), RTT: rtt}, nil
}
