package disk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"faultline.dev/faultline/injectors"
)

// Kind is the registered kind of a disk throttle.
const Kind = "diskThrottle"

// Params is everything needed to apply and undo a throttle.
type Params struct {
	RunID   string `json:"runId"`
	Node    string `json:"node"`
	Version int    `json:"cgroupVersion"`
	Root    string `json:"root"`   // hierarchy root
	Cgroup  string `json:"cgroup"` // absolute path of the fault's cgroup
	Prev    string `json:"prev"`   // the pid's cgroup before, relative to Root
	PID     int    `json:"pid"`
	Device  string `json:"device"` // MAJ:MIN
	DataDir string `json:"dataDir"`
	Limits  Limits `json:"limits"`
}

// Throttle limits a node's I/O on its data device.
type Throttle struct{ p Params }

var (
	_ injectors.Fault    = (*Throttle)(nil)
	_ injectors.Verifier = (*Throttle)(nil)
)

// New builds a throttle of the process pid on device (MAJ:MIN).
func New(runID, node string, pid int, device, dataDir string, l Limits) (*Throttle, error) {
	v := Version()
	root := map[int]string{1: V1Root, 2: V2Root}[v]
	if v == 0 {
		return nil, fmt.Errorf("disk throttle on %s: neither cgroup v1 blkio nor v2 io is mounted", node)
	}
	if device == "" || pid <= 0 {
		return nil, fmt.Errorf("disk throttle on %s: needs the node's running pid and block device (have pid %d, device %q)", node, pid, device)
	}
	prev, err := ProcCgroup(pid, v)
	if err != nil {
		return nil, fmt.Errorf("disk throttle on %s: cgroup of pid %d: %w", node, pid, err)
	}
	return &Throttle{Params{RunID: runID, Node: node, Version: v, Root: root,
		Cgroup: filepath.Join(root, CgroupName(runID, node)), Prev: prev, PID: pid,
		Device: device, DataDir: dataDir, Limits: l}}, nil
}

// FromParams rebuilds a throttle from its Params.
func FromParams(raw json.RawMessage) (*Throttle, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("disk throttle params: %w", err)
	}
	return &Throttle{p}, nil
}

// Kind is "diskThrottle".
func (*Throttle) Kind() string { return Kind }

// Params is the JSON of Params.
func (f *Throttle) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *Throttle) writes(clear bool) []Write {
	if f.p.Version == 2 {
		return []Write{V2Write(f.p.Device, f.p.Limits, clear)}
	}
	return V1Writes(f.p.Device, f.p.Limits, clear)
}

// Inject creates the cgroup, sets the limits and moves the process (all its
// threads) into it.
func (f *Throttle) Inject(ctx context.Context) error {
	if err := f.inject(); err != nil {
		return fmt.Errorf("inject disk throttle on %s: %w", f.p.Node, err)
	}
	return nil
}

func (f *Throttle) inject() error {
	if f.p.Version == 2 {
		if err := writeCg(f.p.Root, Write{"cgroup.subtree_control", "+io"}); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(f.p.Cgroup, 0o755); err != nil {
		return err
	}
	for _, w := range f.writes(false) {
		if err := writeCg(f.p.Cgroup, w); err != nil {
			return err
		}
	}
	return writeCg(f.p.Cgroup, Write{"cgroup.procs", strconv.Itoa(f.p.PID)})
}

// Recover clears the limits, moves every process of the cgroup back to
// where the node's process was, and removes the cgroup. A missing cgroup is
// fine.
func (f *Throttle) Recover(ctx context.Context) error {
	if _, err := os.Stat(f.p.Cgroup); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := f.recover(ctx); err != nil {
		return fmt.Errorf("recover disk throttle on %s: %w", f.p.Node, err)
	}
	return nil
}

func (f *Throttle) recover(ctx context.Context) error {
	for _, w := range f.writes(true) {
		if err := writeCg(f.p.Cgroup, w); err != nil {
			return err
		}
	}
	back := filepath.Join(f.p.Root, f.p.Prev)
	for range 50 {
		pids, err := procs(f.p.Cgroup)
		if err != nil {
			return err
		}
		for _, pid := range pids {
			if err := writeCg(back, Write{"cgroup.procs", strconv.Itoa(pid)}); err != nil && processExists(pid) {
				return err
			}
		}
		if err := os.Remove(f.p.Cgroup); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		select { // a dying process can keep the cgroup busy for a moment
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("cgroup %s still busy", f.p.Cgroup)
}

func processExists(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}
