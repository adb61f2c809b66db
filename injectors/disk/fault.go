package disk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets/local/diskfs"
)

// KindFault is the registered kind of a disk fault: latency or EIO on file
// operations under a node's data directory, through the node's FUSE layer.
const KindFault = "diskFault"

// FaultParams is everything needed to apply and undo a disk fault: the
// layer's control file is the whole state, so recovery needs nothing else.
type FaultParams struct {
	RunID     string        `json:"runId"`
	Node      string        `json:"node"`
	Control   string        `json:"control"` // the layer's control file
	Dir       string        `json:"dir"`     // the layer's mount (mariadbd's data directory)
	Delay     time.Duration `json:"delay,omitempty"`
	ErrorRate float64       `json:"errorRate,omitempty"` // percent
	Ops       []string      `json:"ops,omitempty"`
	Path      string        `json:"path,omitempty"`
}

// Fault delays or fails file operations of one node.
type Fault struct {
	p      FaultParams
	before *probeResult // measured just before Inject; nil when rebuilt
}

var (
	_ injectors.Fault    = (*Fault)(nil)
	_ injectors.Verifier = (*Fault)(nil)
)

// NewFault builds a disk fault of p.Node; p.Control and p.Dir are its
// layer's control file and mount.
func NewFault(p FaultParams) (*Fault, error) {
	if p.Control == "" || p.Dir == "" {
		return nil, fmt.Errorf("disk fault on %s: the node has no disk-fault layer (start the lab with diskFaults: true)", p.Node)
	}
	f := &Fault{p: p}
	if err := f.control().Validate(); err != nil {
		return nil, fmt.Errorf("disk fault on %s: %w", p.Node, err)
	}
	if !f.control().Active() {
		return nil, fmt.Errorf("disk fault on %s: neither a delay nor an error rate", p.Node)
	}
	if _, err := os.Stat(p.Control); err != nil {
		return nil, fmt.Errorf("disk fault on %s: control file: %w", p.Node, err)
	}
	return f, nil
}

// FaultFromParams rebuilds a disk fault from its FaultParams.
func FaultFromParams(raw json.RawMessage) (*Fault, error) {
	var p FaultParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("disk fault params: %w", err)
	}
	return &Fault{p: p}, nil
}

// Kind is "diskFault".
func (*Fault) Kind() string { return KindFault }

// Params is the JSON of FaultParams.
func (f *Fault) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *Fault) control() diskfs.Control {
	c := diskfs.Control{ErrorRate: f.p.ErrorRate, Ops: f.p.Ops, Path: f.p.Path}
	if f.p.Delay > 0 {
		c.Delay = f.p.Delay.String()
	}
	return c
}

// Inject measures the layer's latency (the baseline of Verify), then writes
// the fault to the node's control file; the layer applies it within
// diskfs.PollInterval.
func (f *Fault) Inject(ctx context.Context) error {
	if r, err := f.probeOnce(ctx); err == nil && r.err == nil {
		f.before = &r
	}
	if err := diskfs.WriteControl(f.p.Control, f.control()); err != nil {
		return fmt.Errorf("inject disk fault on %s: %w", f.p.Node, err)
	}
	time.Sleep(2 * diskfs.PollInterval)
	return nil
}

// Recover writes `{}` (pass everything through) to the control file. A
// missing file (the lab is gone) is fine.
func (f *Fault) Recover(ctx context.Context) error {
	if _, err := os.Stat(f.p.Control); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := diskfs.WriteControl(f.p.Control, diskfs.Control{}); err != nil {
		return fmt.Errorf("recover disk fault on %s: %w", f.p.Node, err)
	}
	time.Sleep(2 * diskfs.PollInterval)
	return nil
}

// ControlLeftover describes a control file holding a fault, "" if it holds
// none (or does not exist).
func ControlLeftover(file string) string {
	c, err := diskfs.ReadControl(file)
	if err != nil {
		return fmt.Sprintf("disk-fault control %s unreadable: %v", file, err)
	}
	if !c.Active() {
		return ""
	}
	b, _ := json.Marshal(c)
	return fmt.Sprintf("disk-fault control %s holds %s", file, b)
}
