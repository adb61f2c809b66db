// Package injectors holds the fault lifecycle: the Fault interface, the guard
// that enforces it, the on-disk ledger that survives a harness crash, and the
// explicit registry of fault kinds. One sub-package per fault family
// (network, clock, disk, process, zone) implements the faults.
package injectors

import (
	"context"
	"encoding/json"
)

// Fault is one injected change to a target. Inject applies it; Recover undoes
// it and is idempotent: recovering what is not there is a no-op.
//
// A Fault must be rebuildable from its Record alone (kind + params), so that
// `faultline recover` can heal it after the harness was killed.
type Fault interface {
	// Kind is the registered kind name, e.g. "partition".
	Kind() string
	// Params is everything needed to undo the fault, JSON-encoded.
	Params() json.RawMessage
	Inject(ctx context.Context) error
	Recover(ctx context.Context) error
}

// Lifecycle is how a fault kind lives, declared when the kind is
// registered. The runner reads it instead of checking kinds.
type Lifecycle struct {
	// OneShot kinds are actions, complete once injected (promote, restart,
	// a pod kill): no heal is scheduled for them, and their ledger record is
	// closed right after the injection. Healable kinds (the zero value) stay
	// in effect until Recover.
	OneShot bool
	// Proof says how the kind's Verify shows its effect ("" = it has no
	// verifier), for plans and reports.
	Proof string
}

// RecoveryWaiter is a fault whose target needs time to come back after
// Recover (nodes restarted, pods rescheduled): the runner calls
// WaitRecovered after healing and records how long it took. It observes
// only.
type RecoveryWaiter interface {
	WaitRecovered(ctx context.Context) error
}

// Verifier is a fault that can prove that its effect took hold.
type Verifier interface {
	Verify(ctx context.Context) (Evidence, error)
}

// Evidence is what Verify observed.
type Evidence struct {
	Held    bool            `json:"held"`    // the effect was shown
	Summary string          `json:"summary"` // one line for people
	Data    json.RawMessage `json:"data,omitempty"`
}
