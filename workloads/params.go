package workloads

import (
	"errors"
	"fmt"
	"time"

	"faultline.dev/faultline/scenarios"
)

// Defaults of scenarios.Workload fields left zero.
const (
	DefaultClients      = 4
	DefaultOpTimeout    = 5 * time.Second
	DefaultKeys         = 10
	DefaultAccounts     = 5
	DefaultPerAccount   = 100
	DefaultMinTxnLength = 1
	DefaultMaxTxnLength = 4
	DefaultReadFraction = 0.5
)

// WithDefaults fills the zero fields of w with their defaults.
func WithDefaults(w scenarios.Workload) scenarios.Workload {
	if w.Clients == 0 {
		w.Clients = DefaultClients
	}
	if w.OpTimeout == 0 {
		w.OpTimeout = scenarios.Duration(DefaultOpTimeout)
	}
	if w.Routing == "" {
		w.Routing = RoutePrimary
	}
	if w.Keys == 0 {
		w.Keys = DefaultKeys
	}
	if w.Accounts == 0 {
		w.Accounts = DefaultAccounts
	}
	if w.Total == 0 {
		w.Total = int64(w.Accounts) * DefaultPerAccount
	}
	if w.MinTxnLength == 0 {
		w.MinTxnLength = DefaultMinTxnLength
	}
	if w.MaxTxnLength == 0 {
		w.MaxTxnLength = max(DefaultMaxTxnLength, w.MinTxnLength)
	}
	if w.ReadFraction == nil {
		f := DefaultReadFraction
		if w.Kind == scenarios.WorkloadLedger {
			f = 0
		}
		w.ReadFraction = &f
	}
	return w
}

// Validate checks the parameters of w (after WithDefaults) and returns
// every problem at once.
func Validate(w scenarios.Workload) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("workload: "+format, a...)) }
	switch w.Kind {
	case scenarios.WorkloadLedger, scenarios.WorkloadBank, scenarios.WorkloadListAppend, scenarios.WorkloadRegister:
	default:
		bad("unknown kind %q (ledger, bank, list-append, register)", w.Kind)
	}
	if w.Clients < 1 {
		bad("clients must be at least 1, got %d", w.Clients)
	}
	if w.Rate < 0 {
		bad("rate must not be negative, got %v", w.Rate)
	}
	if w.OpenLoop && w.Rate == 0 {
		bad("openLoop needs a rate")
	}
	if w.OpTimeout < 0 {
		bad("opTimeout must not be negative, got %v", w.OpTimeout)
	}
	if w.Keys < 1 {
		bad("keys must be at least 1, got %d", w.Keys)
	}
	if w.Kind == scenarios.WorkloadBank {
		if w.Accounts < 2 {
			bad("bank needs at least 2 accounts, got %d", w.Accounts)
		}
		if w.Total < int64(w.Accounts) {
			bad("bank total %d is less than one per account (%d accounts)", w.Total, w.Accounts)
		}
	}
	if w.MinTxnLength < 1 || w.MaxTxnLength < w.MinTxnLength {
		bad("transaction length must satisfy 1 <= min <= max, got %d..%d", w.MinTxnLength, w.MaxTxnLength)
	}
	if f := w.ReadFraction; f != nil && (*f < 0 || *f > 1) {
		bad("readFraction must be within 0..1, got %v", *f)
	}
	if w.Kind == scenarios.WorkloadLedger && w.ReadFraction != nil && *w.ReadFraction > 0 {
		bad("ledger has no reads (readFraction %v); its final read checks the values", *w.ReadFraction)
	}
	return errors.Join(errs...)
}
