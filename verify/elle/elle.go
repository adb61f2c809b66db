// Package elle checks list-append transaction histories for isolation
// anomalies, after Kingsbury & Alvaro's Elle ("Inferring Isolation Anomalies
// from Experimental Observations", VLDB 2020) and Adya's generalized
// isolation definitions.
//
// Lists only grow by appends of values unique per key, so a read of a key
// reveals a prefix of that key's version order. From the longest read of each
// key the checker infers the version order, then the Adya dependency graph
// over committed transactions — write-write (ww), write-read (wr) and
// read-write anti-dependencies (rw) — plus process order and real-time order.
// Every cycle is explained by a short witness and classified (G0, G1c,
// G-single, G-nonadjacent-item, G2-item, with -process and -realtime
// variants). Anomalies that
// need no graph — aborted and intermediate reads (G1a, G1b), internal
// inconsistency and future reads, duplicate and garbage elements,
// incompatible orders, lost updates — are found directly. A consistency
// model decides which anomalies are violations.
//
// Indeterminate transactions count as committed when a read observed one
// of their appends, and are left out otherwise. Appends of committed
// transactions that no read observed are placed after every observed
// version of their key (their order among themselves stays unknown).
package elle

import (
	"context"
	"fmt"

	"faultline.dev/faultline/history"
)

// Status is the outcome of a check.
type Status string

// Statuses.
const (
	Valid   Status = "valid"
	Invalid Status = "invalid"
	Unknown Status = "unknown"
)

// Options tune a check.
type Options struct {
	// Model is the consistency model the history must satisfy (see ModelNames);
	// empty means serializable.
	Model string
	// MaxPerType bounds the anomalies kept per type in Result.Anomalies
	// (Counts are never bounded); 0 means 8.
	MaxPerType int
	// SearchBudget bounds the edges a cycle search may visit per anomaly
	// class; 0 means 5,000,000. A class whose search ran out is reported in
	// Result.Incomplete and makes a clean result Unknown.
	SearchBudget int
}

func (o Options) withDefaults() Options {
	if o.Model == "" {
		o.Model = Serializable
	}
	if o.MaxPerType <= 0 {
		o.MaxPerType = 8
	}
	if o.SearchBudget <= 0 {
		o.SearchBudget = 5_000_000
	}
	return o
}

// Result is the outcome of a check.
type Result struct {
	Status Status `json:"status"`
	Valid  bool   `json:"valid"`
	Model  string `json:"model"`
	// TxnCount is the number of transactions in the dependency graph: the
	// committed ones and the indeterminate ones whose writes were observed.
	TxnCount int `json:"txnCount"`
	// Anomalies holds the first few anomalies of each type.
	Anomalies map[string][]Anomaly `json:"anomalies,omitempty"`
	// Counts holds how many anomalies of each type were found.
	Counts map[string]int `json:"counts,omitempty"`
	// Violations are the anomaly types found that the model forbids, sorted.
	Violations []string `json:"violations,omitempty"`
	// Incomplete names the cycle classes whose search ran out of budget.
	Incomplete []string `json:"incomplete,omitempty"`
	// Reason explains an Unknown status.
	Reason string `json:"reason,omitempty"`
}

// Anomaly is one witnessed anomaly: a cycle of transactions, or an
// offending read.
type Anomaly struct {
	Type string   `json:"type"`
	Key  *int64   `json:"key,omitempty"`
	Txns []TxnRef `json:"txns"`
	// Steps explain a cycle: Steps[i] leads from Txns[i] to Txns[(i+1)%len(Txns)].
	Steps []Step `json:"steps,omitempty"`
	// Read is the offending read; Expected what it should have been (or,
	// for an internal inconsistency without an earlier read, the suffix it
	// should have ended with).
	Read     []int64 `json:"read,omitempty"`
	Expected []int64 `json:"expected,omitempty"`
	// Element is the offending element of Read.
	Element     *int64 `json:"element,omitempty"`
	Explanation string `json:"explanation"`
}

// TxnRef names a transaction in an anomaly.
type TxnRef struct {
	ID      int               `json:"id"` // position in the checked slice
	Process int               `json:"process"`
	Status  history.Type      `json:"status"`
	Index   int64             `json:"index"` // history index of the invoke event
	Ops     []history.MicroOp `json:"ops"`
}

// Step is one edge of a cycle.
type Step struct {
	Kind string `json:"kind"` // ww, wr, rw, process, realtime
	Key  *int64 `json:"key,omitempty"`
	// Why is the observation behind the edge.
	Why string `json:"why"`
}

// Check checks txns against opts.Model. An unknown model yields Unknown
// with the reason.
func Check(txns []Txn, opts Options) Result {
	r, err := CheckContext(context.Background(), txns, opts)
	if err != nil {
		return Result{Status: Unknown, Model: opts.Model, Reason: err.Error()}
	}
	return r
}

// CheckContext is Check under ctx: it returns ctx.Err() when cancelled.
func CheckContext(ctx context.Context, txns []Txn, opts Options) (Result, error) {
	opts = opts.withDefaults()
	m, ok := models[opts.Model]
	if !ok {
		return Result{}, fmt.Errorf("elle: unknown model %q (known: %v)", opts.Model, ModelNames())
	}
	c := newChecker(ctx, txns, opts)
	steps := []func() error{c.index, c.versions, c.direct, c.buildGraph, c.findCycles}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		if err := step(); err != nil {
			return Result{}, err
		}
	}
	return c.result(m), nil
}

// result turns what the checker found into a Result under model m.
func (c *checker) result(m model) Result {
	r := Result{
		Model:      c.opts.Model,
		TxnCount:   c.graphCount(),
		Anomalies:  c.rep.kept,
		Counts:     c.rep.counts,
		Incomplete: c.incomplete,
	}
	r.Violations = m.violations(r.Counts)
	switch {
	case len(r.Violations) > 0:
		r.Status = Invalid
	case m.anyForbidden(r.Incomplete):
		r.Status = Unknown
		r.Reason = fmt.Sprintf("cycle search ran out of budget for %v", r.Incomplete)
	case r.TxnCount == 0:
		r.Status = Unknown
		r.Reason = "no committed transactions"
	default:
		r.Status = Valid
	}
	r.Valid = r.Status == Valid
	return r
}
