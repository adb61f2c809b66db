package verify

import (
	"math"
	"slices"

	"faultline.dev/faultline/history"
)

// Deliberately simple reference implementations, checked against the real
// checkers on small random histories.

// refLedger is the naive O(n²) set difference: an acknowledged value absent
// from any authoritative node is lost; a value held anywhere that no
// operation attempted, or whose every attempt failed, is unexpected.
func refLedger(events []history.Event, f *history.Final, auth []string) (lost, unexpected map[int64]bool) {
	lost, unexpected = map[int64]bool{}, map[int64]bool{}
	contains := func(vals []int64, v int64) bool {
		for _, x := range vals {
			if x == v {
				return true
			}
		}
		return false
	}
	for _, e := range events {
		if e.Type != history.OK || e.F != "add" {
			continue
		}
		v, _ := parseInt64(e.Value)
		for _, n := range f.Nodes {
			if n.Reachable && slices.Contains(auth, n.Node) && !contains(n.Ledger, v) {
				lost[v] = true
			}
		}
	}
	for _, n := range f.Nodes {
		for _, x := range n.Ledger {
			attempted, failed := false, false // values are unique: one attempt each
			for _, e := range events {
				if v, _ := parseInt64(e.Value); e.F == "add" && v == x {
					attempted = attempted || e.Type == history.Invoke
					failed = failed || e.Type == history.Fail
				}
			}
			if n.Reachable && (!attempted || failed) {
				unexpected[x] = true
			}
		}
	}
	return lost, unexpected
}

// bfOp is one register operation for the brute-force checker: must
// operations completed ok; the others (indeterminate writes and
// compare-and-sets) may take effect any time after their call, or never.
type bfOp struct {
	call, ret int64
	must      bool
	f         string
	v         *int64 // read result / written value
	old, new  int64
}

// bruteLinearizable tries every order consistent with real time.
func bruteLinearizable(ops []bfOp) bool {
	failed := map[[2]int64]bool{}
	var try func(mask int64, state *int64) bool
	try = func(mask int64, state *int64) bool {
		done := true
		for i, o := range ops {
			if o.must && mask&(1<<i) == 0 {
				done = false
			}
		}
		if done {
			return true
		}
		key := [2]int64{mask, stateKey(state)}
		if failed[key] {
			return false
		}
		for i, o := range ops {
			if mask&(1<<i) != 0 || !canGoFirst(ops, mask, i) {
				continue
			}
			if ok, next := bfStep(o, state); ok && try(mask|1<<i, next) {
				return true
			}
		}
		failed[key] = true
		return false
	}
	return try(0, nil)
}

// canGoFirst: no pending operation completed before i was called.
func canGoFirst(ops []bfOp, mask int64, i int) bool {
	for j, o := range ops {
		if j != i && mask&(1<<j) == 0 && o.must && o.ret < ops[i].call {
			return false
		}
	}
	return true
}

func bfStep(o bfOp, state *int64) (bool, *int64) {
	switch o.f {
	case "read":
		return (state == nil && o.v == nil) || (state != nil && o.v != nil && *state == *o.v), state
	case "write":
		return true, o.v
	}
	if state != nil && *state == o.old {
		n := o.new
		return true, &n
	}
	return !o.must, state
}

func stateKey(s *int64) int64 {
	if s == nil {
		return math.MinInt64
	}
	return *s
}
