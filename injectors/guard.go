package injectors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// State is where a guarded fault is in its lifecycle.
type State string

// Guard states. Pending → Injected → Recovered is the normal life; any error
// moves to Failed, from which only Recover is allowed.
const (
	Pending   State = "pending"
	Injected  State = "injected"
	Failed    State = "failed"
	Recovered State = "recovered"
)

// ErrIllegal is returned (wrapped, naming the state) for a lifecycle step
// the guard's state does not allow. The fault is not called.
var ErrIllegal = errors.New("illegal fault lifecycle step")

// ErrNoVerifier is returned by Verify when the fault cannot verify itself.
var ErrNoVerifier = errors.New("fault kind has no verifier")

// Guard enforces the lifecycle of one fault and keeps the ledger true:
//
//   - Inject is allowed only when Pending. The ledger record is written
//     before the fault is injected; if that write fails the fault is not
//     called and the guard is Failed (Recover is then a harmless no-op that
//     also clears any record).
//   - Verify is allowed only when Injected. A Verify error moves to Failed;
//     evidence that the effect did not hold is not an error.
//   - Recover is allowed when Injected or Failed, and is a no-op when
//     Recovered. The record is removed only after the fault recovered. Any
//     error (the fault's or the ledger's) moves to Failed and keeps the
//     record, so Recover can be retried, by this guard or by RecoverAll.
//
// Steps are serialized: a Recover waits for an Inject in flight.
type Guard struct {
	mu     sync.Mutex
	fault  Fault
	ledger Ledger
	rec    Record
	state  State
	shown  atomic.Value // state, readable while a step is in flight
}

// NewGuard guards fault f, identified in the ledger by runID and id (unique
// within the run); targets are the nodes it was aimed at.
func NewGuard(l Ledger, runID, id string, targets []string, f Fault) *Guard {
	rec := Record{RunID: runID, ID: id, Kind: f.Kind(), Targets: targets}
	g := &Guard{fault: f, ledger: l, rec: rec}
	g.setState(Pending)
	return g
}

// setState moves to s; callers hold mu.
func (g *Guard) setState(s State) {
	g.state = s
	g.shown.Store(s)
}

// On names the target the fault is injected into; the ledger record carries
// it so that recovery after a crash reopens that target. Call it before
// Inject.
func (g *Guard) On(target TargetRef) *Guard {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rec.Target = target
	return g
}

// State is the guard's current state. It does not wait for a step in
// flight (a Verify that watches for its effect can take the fault's whole
// window): it is the state that step started from until it ends.
func (g *Guard) State() State {
	return g.shown.Load().(State)
}

// Inject records the fault in the ledger, then injects it.
func (g *Guard) Inject(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.allow("inject", Pending); err != nil {
		return err
	}
	g.rec.Params = g.fault.Params()
	g.rec.Created = time.Now().UTC()
	if err := g.record(Pending); err != nil {
		g.setState(Failed)
		return g.wrap("inject", err)
	}
	if err := g.fault.Inject(ctx); err != nil {
		g.setState(Failed)
		g.record(Failed) // best effort: the pending record already covers it
		return g.wrap("inject", err)
	}
	if err := g.record(Injected); err != nil {
		g.setState(Failed)
		return g.wrap("inject", err)
	}
	g.setState(Injected)
	return nil
}

// Verify asks the fault to prove its effect.
func (g *Guard) Verify(ctx context.Context) (Evidence, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.allow("verify", Injected); err != nil {
		return Evidence{}, err
	}
	v, ok := g.fault.(Verifier)
	if !ok {
		return Evidence{}, g.wrap("verify", ErrNoVerifier)
	}
	ev, err := v.Verify(ctx)
	if err != nil {
		g.setState(Failed)
		g.record(Failed) // best effort: the record exists either way
		return ev, g.wrap("verify", err)
	}
	return ev, nil
}

// Recover undoes the fault, then removes its ledger record.
func (g *Guard) Recover(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state == Recovered {
		return nil
	}
	if err := g.allow("recover", Injected, Failed); err != nil {
		return err
	}
	if err := g.fault.Recover(ctx); err != nil {
		g.setState(Failed)
		return g.wrap("recover", err)
	}
	if err := g.ledger.Remove(g.rec.RunID, g.rec.ID); err != nil {
		g.setState(Failed)
		return g.wrap("recover", err)
	}
	g.setState(Recovered)
	return nil
}

// Complete closes the ledger record of a one-shot fault (an action such as
// a promote or a restart, complete once injected) without calling its
// Recover: there is nothing to undo. Allowed when Injected or Failed.
func (g *Guard) Complete() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.allow("complete", Injected, Failed); err != nil {
		return err
	}
	if err := g.ledger.Remove(g.rec.RunID, g.rec.ID); err != nil {
		g.setState(Failed)
		return g.wrap("complete", err)
	}
	g.setState(Recovered)
	return nil
}

// RecoverDetached recovers on a context that survives the cancellation of
// ctx (the run's context is usually already cancelled at cleanup) and ends
// after timeout.
func (g *Guard) RecoverDetached(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return g.Recover(ctx)
}

func (g *Guard) allow(step string, states ...State) error {
	for _, s := range states {
		if g.state == s {
			return nil
		}
	}
	return fmt.Errorf("%s %s: %w in state %s", step, g.name(), ErrIllegal, g.state)
}

func (g *Guard) record(s State) error {
	g.rec.State = s
	return g.ledger.Put(g.rec)
}

func (g *Guard) wrap(step string, err error) error {
	return fmt.Errorf("%s %s: %w", step, g.name(), err)
}

// name is "<kind> <id> on <targets>", for errors.
func (g *Guard) name() string {
	n := g.rec.Kind + " " + g.rec.ID
	if len(g.rec.Targets) > 0 {
		n += " on " + strings.Join(g.rec.Targets, ",")
	}
	return n
}
