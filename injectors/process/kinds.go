package process

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets"
)

// Kill SIGKILLs a node's mariadbd; recovery starts the node again (Galera:
// through --wsrep-recover, so it rejoins by IST).
type Kill struct{ base }

// Pause SIGSTOPs a node's mariadbd; recovery SIGCONTs it.
type Pause struct{ base }

// Restart stops a node gracefully and starts it again; there is nothing to heal.
type Restart struct {
	base
	newPID int
}

// Promote makes a node the writable primary, as an operator would; it is
// recorded, not healed.
type Promote struct {
	base
	pr targets.Promoter // nil: the lab's machine
}

var (
	_ injectors.Verifier = (*Kill)(nil)
	_ injectors.Verifier = (*Pause)(nil)
	_ injectors.Verifier = (*Restart)(nil)
	_ injectors.Fault    = (*Promote)(nil)
)

// New builds a process fault of kind on node of m.
func New(ctx context.Context, kind, runID, stateDir string, m targets.Machine, node string) (injectors.Fault, error) {
	b, err := newBase(ctx, runID, stateDir, m, node)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, node, err)
	}
	return wrap(kind, b)
}

// FromParams rebuilds a process fault of kind from its Params.
func FromParams(kind string, raw json.RawMessage, open Opener) (injectors.Fault, error) {
	b, err := fromParams(raw, open)
	if err != nil {
		return nil, err
	}
	return wrap(kind, b)
}

func wrap(kind string, b base) (injectors.Fault, error) {
	switch kind {
	case KindKill:
		return &Kill{b}, nil
	case KindPause:
		return &Pause{b}, nil
	case KindRestart:
		return &Restart{base: b}, nil
	case KindPromote:
		return &Promote{base: b}, nil
	}
	return nil, fmt.Errorf("process: unknown kind %q", kind)
}

// Kind is "kill".
func (*Kill) Kind() string { return KindKill }

// Inject SIGKILLs the node through the lab, which then knows it is down.
func (f *Kill) Inject(ctx context.Context) error {
	m, err := f.machine(ctx)
	if err == nil {
		err = m.StopNode(ctx, f.p.Node, false)
	}
	if err != nil {
		return fmt.Errorf("inject kill on %s: %w", f.p.Node, err)
	}
	return nil
}

// Recover starts the node unless it is already running.
func (f *Kill) Recover(ctx context.Context) error { return f.ensureRunning(ctx, KindKill) }

// ensureRunning starts the node unless it is already running: idempotent.
func (b *base) ensureRunning(ctx context.Context, kind string) error {
	m, err := b.machine(ctx)
	if err != nil {
		return fmt.Errorf("recover %s on %s: %w", kind, b.p.Node, err)
	}
	if pid, err := m.PID(b.p.Node); err == nil && pid > 0 {
		return nil
	}
	if err := m.StartNode(ctx, b.p.Node); err != nil {
		return fmt.Errorf("recover %s on %s: %w", kind, b.p.Node, err)
	}
	return nil
}

// Verify holds when the killed process is gone (or a zombie).
func (f *Kill) Verify(ctx context.Context) (injectors.Evidence, error) {
	st := waitState(ctx, f.p.PID, func(s string) bool { return s == "" || s == "Z" })
	held := st == "" || st == "Z" || !f.p.same()
	return evidence(held, fmt.Sprintf("mariadbd %d of %s: state %q", f.p.PID, f.p.Node, st), st), nil
}

// Kind is "pause".
func (*Pause) Kind() string { return KindPause }

// Inject SIGSTOPs the node's process.
func (f *Pause) Inject(ctx context.Context) error {
	if !f.p.same() {
		return fmt.Errorf("inject pause on %s: process %d is not running", f.p.Node, f.p.PID)
	}
	if err := syscall.Kill(f.p.PID, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("inject pause on %s: SIGSTOP %d: %w", f.p.Node, f.p.PID, err)
	}
	return nil
}

// Recover SIGCONTs the process if it is still the one paused.
func (f *Pause) Recover(ctx context.Context) error {
	if !f.p.same() {
		return nil
	}
	if err := syscall.Kill(f.p.PID, syscall.SIGCONT); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("recover pause on %s: SIGCONT %d: %w", f.p.Node, f.p.PID, err)
	}
	return nil
}

// Verify holds when the process is stopped (state T); it waits up to a
// second for the signal to take effect.
func (f *Pause) Verify(ctx context.Context) (injectors.Evidence, error) {
	st := waitState(ctx, f.p.PID, func(s string) bool { return s == "T" })
	return evidence(st == "T", fmt.Sprintf("mariadbd %d of %s: state %q", f.p.PID, f.p.Node, st), st), nil
}

// Kind is "restart".
func (*Restart) Kind() string { return KindRestart }

// Inject stops the node gracefully and starts it again.
func (f *Restart) Inject(ctx context.Context) error {
	m, err := f.machine(ctx)
	if err == nil {
		err = m.StopNode(ctx, f.p.Node, true)
	}
	if err == nil {
		err = m.StartNode(ctx, f.p.Node)
	}
	if err == nil {
		f.newPID, err = m.PID(f.p.Node)
	}
	if err != nil {
		return fmt.Errorf("inject restart on %s: %w", f.p.Node, err)
	}
	return nil
}

// Recover has nothing to heal.
func (f *Restart) Recover(ctx context.Context) error { return nil }

// Verify holds when a new process replaced the old one.
func (f *Restart) Verify(ctx context.Context) (injectors.Evidence, error) {
	held := f.newPID > 0 && f.newPID != f.p.PID
	return evidence(held, fmt.Sprintf("mariadbd of %s: pid %d → %d", f.p.Node, f.p.PID, f.newPID), f.newPID), nil
}

// Kind is "promote".
func (*Promote) Kind() string { return KindPromote }

// NewPromote is a promote of node on any Promoter (a target that is not a
// machine of this host: no process is recorded), named target in its params.
func NewPromote(runID, target string, pr targets.Promoter, node string) *Promote {
	return &Promote{base: base{p: Params{RunID: runID, Lab: target, Node: node}}, pr: pr}
}

// Inject promotes the node.
func (f *Promote) Inject(ctx context.Context) error {
	var err error
	pr := f.pr
	if pr == nil {
		pr, err = f.machine(ctx)
	}
	if err == nil {
		err = pr.Promote(ctx, f.p.Node)
	}
	if err != nil {
		return fmt.Errorf("promote %s: %w", f.p.Node, err)
	}
	return nil
}

// Recover is a no-op: a promotion is an operator action, not a fault.
func (f *Promote) Recover(ctx context.Context) error { return nil }

func evidence(held bool, summary string, data any) injectors.Evidence {
	return injectors.Evidence{Held: held, Summary: summary, Data: mustJSON(data)}
}

// waitState polls the process state for up to a second until ok holds and
// returns the last state seen.
func waitState(ctx context.Context, pid int, ok func(string) bool) string {
	deadline := time.Now().Add(time.Second)
	for {
		st, _ := State(pid)
		if ok(st) || time.Now().After(deadline) || ctx.Err() != nil {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}
