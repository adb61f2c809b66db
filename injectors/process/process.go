// Package process holds the process fault family of the local lab: kill
// (SIGKILL, healed by restarting the node so it rejoins), pause
// (SIGSTOP/SIGCONT), restart (graceful stop and start, nothing to heal) and
// the operator's promote action.
package process

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"faultline.dev/faultline/targets"
)

// Kinds of the family.
const (
	KindKill    = "kill"
	KindPause   = "pause"
	KindRestart = "restart"
	KindPromote = "promote"
)

// Opener reopens a lab from its name and state directory, so a fault
// rebuilt from its Params after a crash can restart nodes.
type Opener func(ctx context.Context, lab, stateDir string) (targets.Machine, error)

// Params is what every process fault records: the lab, the node and its
// process as it was when the fault was built.
type Params struct {
	RunID    string `json:"runId"`
	Lab      string `json:"lab"`
	StateDir string `json:"stateDir"`
	Node     string `json:"node"`
	PID      int    `json:"pid"`
	Start    uint64 `json:"start"` // process start time (clock ticks after boot), guards against pid reuse
}

// base is what the kinds share: params and the machine (opened lazily when
// rebuilt from params).
type base struct {
	p    Params
	m    targets.Machine
	open Opener
}

func newBase(ctx context.Context, runID, stateDir string, m targets.Machine, node string) (base, error) {
	pid, err := m.PID(node)
	if err != nil {
		return base{}, fmt.Errorf("pid of %s: %w", node, err)
	}
	start, _ := StartTime(pid)
	return base{p: Params{RunID: runID, Lab: m.Name(), StateDir: stateDir, Node: node, PID: pid, Start: start}, m: m}, nil
}

func fromParams(raw json.RawMessage, open Opener) (base, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return base{}, fmt.Errorf("process fault params: %w", err)
	}
	return base{p: p, open: open}, nil
}

// Params is the JSON of Params.
func (b *base) Params() json.RawMessage {
	out, _ := json.Marshal(b.p)
	return out
}

func (b *base) machine(ctx context.Context) (targets.Machine, error) {
	if b.m != nil {
		return b.m, nil
	}
	if b.open == nil {
		return nil, fmt.Errorf("no way to open lab %s", b.p.Lab)
	}
	m, err := b.open(ctx, b.p.Lab, b.p.StateDir)
	if err != nil {
		return nil, fmt.Errorf("open lab %s: %w", b.p.Lab, err)
	}
	b.m = m
	return m, nil
}

// State is the one-letter state of a process from /proc/<pid>/stat ("" if it
// is gone, "Z" if a zombie), and its start time.
func State(pid int) (state string, start uint64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil || pid <= 0 {
		return "", 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // comm may hold spaces and parens
	if i < 0 {
		return "", 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", 0
	}
	start, _ = strconv.ParseUint(f[19], 10, 64)
	return f[0], start
}

// StartTime is the process's start time, 0 if it is gone.
func StartTime(pid int) (uint64, error) {
	_, start := State(pid)
	if start == 0 {
		return 0, fmt.Errorf("process %d not found", pid)
	}
	return start, nil
}

// same reports whether pid is still the process recorded in p.
func (p Params) same() bool {
	st, start := State(p.PID)
	return st != "" && st != "Z" && (p.Start == 0 || start == p.Start)
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
