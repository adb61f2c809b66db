// Package workloads generates faultline's transactional load and records
// every operation a client attempts: an invoke before the request is sent,
// then ok, fail or info (see Classify for how errors are mapped, and
// ERRORS.md).
//
// Four workloads (kinds of scenarios.Workload):
//
//	ledger       autocommit single-row INSERTs of unique values — lost writes, split-brain
//	bank         transfers between accounts and whole-table reads — the total is invariant
//	list-append  transactions of appends and reads over rotating keys — isolation anomalies
//	register     read / write / compare-and-set per key — linearizability
//
// A Pool runs N clients, each with its own single connection, routed to the
// primary, spread over all nodes, or pinned to one node, at a global rate
// (closed or open loop), and keeps live per-second latency statistics.
package workloads

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// Workload is one kind of transactional load.
type Workload interface {
	// Kind is the scenarios.Workload kind (ledger, bank, list-append, register).
	Kind() string
	// Tables are the workload's tables in the faultline database.
	Tables() []string
	// Setup creates the faultline database and the workload's tables
	// afresh through db, a connection to one writable node; replication
	// carries them to the others. Running it twice leaves the same state.
	Setup(ctx context.Context, db *sql.DB) error
	// Ready returns nil once db's node holds everything Setup created
	// (replication applies it on the other nodes asynchronously: Galera
	// applies write-sets after certification, replicas after the binlog).
	Ready(ctx context.Context, db *sql.DB) error
	// NewClient returns the operation generator of client id.
	NewClient(id int) Client
	// FinalRead reads what node holds, for final.json.
	FinalRead(ctx context.Context, node targets.Node) (history.FinalNode, error)
}

// Client generates one client's operations; it is used by one goroutine.
type Client interface {
	Next() *Op
}

// Op is one operation: what to record on invoke and how to perform it.
type Op struct {
	F string
	// Value is recorded on invoke.
	Value json.RawMessage
	// ReadOnly operations have no effect: any error of theirs is a fail.
	ReadOnly bool
	// Single operations are one autocommit statement: the connection's
	// read/write timeout (the operation timeout) already bounds them, so
	// they run without a cancellable context and the driver skips its
	// per-query cancellation watcher.
	Single bool
	// Do performs the operation on s and returns the value to record on
	// ok. Errors should be *OpError (Session's methods return them).
	Do func(ctx context.Context, s *Session) (json.RawMessage, error)
}

// New returns the workload w describes, its generators seeded from seed.
func New(w scenarios.Workload, seed int64) (Workload, error) {
	w = WithDefaults(w)
	if err := Validate(w); err != nil {
		return nil, err
	}
	switch w.Kind {
	case scenarios.WorkloadLedger:
		return newLedger(seed), nil
	case scenarios.WorkloadBank:
		return newBank(w, seed), nil
	case scenarios.WorkloadListAppend:
		return newListAppend(w, seed), nil
	case scenarios.WorkloadRegister:
		return newRegister(w, seed), nil
	}
	return nil, fmt.Errorf("workload: unknown kind %q", w.Kind)
}

// clientRand is client id's random source, derived from the run seed so a
// run's operations can be regenerated.
func clientRand(seed int64, id int) *rand.Rand {
	return rand.New(rand.NewSource(seed*1_000_003 + int64(id)*7919 + 1))
}

// marshal encodes a value that cannot fail to encode.
func marshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("workloads: encode %T: %v", v, err))
	}
	return b
}
