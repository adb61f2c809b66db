package verify

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"faultline.dev/faultline/history"
)

// Check names (the same strings as the scenarios.Check* constants).
const (
	NameLostWrites   = "lost-writes"
	NameSplitBrain   = "split-brain"
	NameRPO          = "rpo"
	NameRTO          = "rto"
	NameBank         = "bank"
	NameLinearizable = "linearizable"
	NameIsolation    = "isolation"
	NameConvergence  = "convergence"
	// NameTimestampOrder compares NOW(6) stamps with the harness's order.
	NameTimestampOrder = "timestamp-order"
	NameRestore        = "restore"
)

// Thresholds are a scenario's recovery targets; nil means "report without a
// threshold".
type Thresholds struct {
	RPO     *time.Duration
	RTO     *time.Duration
	HealRTO *time.Duration
	// TimestampOrder is how many timestamp inversions are allowed.
	TimestampOrder *int
}

// Input is everything a checker reads: the run's history and final state,
// plus what the scenario says about them. Build it once and hand the same
// pointer to every checker: derived indexes are computed once and shared.
type Input struct {
	Events     []history.Event
	Final      *history.Final
	Thresholds Thresholds
	// Dir is the run directory; checkers write artifacts there (may be empty).
	Dir string
	// BankTotal is the sum every bank read must see (accounts × initial balance).
	BankTotal int64
	// Model is the consistency model checked for list-append transactions.
	Model string
	// RegisterInitial is the value every register holds before the first
	// write (the register workload creates its rows with it); nil = absent.
	RegisterInitial *int64

	once    sync.Once
	derived *derived
}

// Checker verifies one property of a run.
type Checker interface {
	Name() string
	// Check returns the verdict; it returns Unknown when ctx ends first.
	Check(ctx context.Context, in *Input) Verdict
}

// allChecks is every check in report order.
var allChecks = []string{NameLostWrites, NameSplitBrain, NameRPO, NameRTO,
	NameBank, NameLinearizable, NameIsolation, NameConvergence, NameTimestampOrder, NameRestore}

// applicable lists, per workload, the checks that apply, in report order.
// It is the one place that decides it: scenarios validates verify.checks
// and fills its default from ChecksFor, and the READMEs' tables are tested
// against it. lost-writes and rpo read the ledger's final state (every
// value ever added), so they apply to ledger only; a bank loss shows in the
// bank invariant, a register or list-append loss in linearizable or
// isolation.
var applicable = map[string][]string{
	"ledger":      {NameLostWrites, NameSplitBrain, NameRPO, NameRTO, NameConvergence, NameTimestampOrder, NameRestore},
	"bank":        {NameBank, NameSplitBrain, NameRTO, NameConvergence},
	"register":    {NameLinearizable, NameSplitBrain, NameRTO, NameConvergence},
	"list-append": {NameIsolation, NameSplitBrain, NameRTO, NameConvergence},
}

// AllChecks lists every check name in report order.
func AllChecks() []string { return slices.Clone(allChecks) }

// ChecksFor lists the checks that apply to a workload kind, in report
// order (nil for an unknown kind).
func ChecksFor(workload string) []string { return slices.Clone(applicable[workload]) }

// Workloads lists the workload kinds the table knows, sorted.
func Workloads() []string { return slices.Sorted(maps.Keys(applicable)) }

// newChecker builds the checker of a name, or nil when this package has none.
func newChecker(name string) Checker {
	switch name {
	case NameLostWrites:
		return LostWrites{}
	case NameSplitBrain:
		return SplitBrain{}
	case NameRPO:
		return RPO{}
	case NameRTO:
		return RTO{}
	case NameBank:
		return Bank{}
	case NameLinearizable:
		return Linearizable{}
	case NameIsolation:
		return Isolation{}
	case NameConvergence:
		return Convergence{}
	case NameTimestampOrder:
		return TimestampOrder{}
	case NameRestore:
		return Restore{}
	}
	return nil
}

// Checkers returns the checkers that apply to workload, in report order.
// names restricts them (empty = all that apply); names that do not apply to
// the workload, or that this package does not know, are left out.
func Checkers(workload string, names []string) []Checker {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Checker
	for _, n := range applicable[workload] {
		if len(names) > 0 && !want[n] {
			continue
		}
		if c := newChecker(n); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// DefaultTimeout bounds each checker when RunAll is given no timeout.
const DefaultTimeout = 60 * time.Second

// RunAll runs each checker in turn under its own timeout (DefaultTimeout
// when timeout <= 0). A checker that does not return in time is Unknown; a
// checker that panics is Unknown with the panic text. A checker left behind
// by its timeout keeps running in the background until it notices its
// context; it only reads the Input.
func RunAll(ctx context.Context, in *Input, cs []Checker, timeout time.Duration) []Verdict {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	out := make([]Verdict, 0, len(cs))
	for _, c := range cs {
		out = append(out, runOne(ctx, in, c, timeout))
	}
	return out
}

func runOne(ctx context.Context, in *Input, c Checker, timeout time.Duration) Verdict {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ch := make(chan Verdict, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- Verdict{Check: c.Name(), Status: Unknown,
					Summary:  fmt.Sprintf("checker panicked: %v", r),
					Evidence: toJSON(map[string]string{"panic": fmt.Sprint(r), "stack": string(debug.Stack())})}
			}
		}()
		ch <- c.Check(cctx, in)
	}()
	select {
	case v := <-ch:
		if v.Check == "" {
			v.Check = c.Name()
		}
		return v
	case <-cctx.Done():
		return Verdict{Check: c.Name(), Status: Unknown,
			Summary: fmt.Sprintf("checker did not finish within %s: %v", timeout, cctx.Err())}
	}
}

// cancelled is the verdict of a checker whose context ended.
func cancelled(name string, ctx context.Context) Verdict {
	return Verdict{Check: name, Status: Unknown, Summary: fmt.Sprintf("check interrupted: %v", ctx.Err())}
}
