package elle

import (
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

// Builders for hand-written histories. Times are in arbitrary units.

func app(k, v int64) history.MicroOp { return history.MicroOp{F: history.MopAppend, K: k, V: v} }

func rd(k int64, l ...int64) history.MicroOp {
	if l == nil {
		l = []int64{}
	}
	return history.MicroOp{F: history.MopRead, K: k, L: l}
}

func txn(status history.Type, p int, inv, comp int64, ops ...history.MicroOp) Txn {
	return Txn{Process: p, Status: status, Invoke: inv, Complete: comp, InvokeIndex: inv, CompleteIndex: comp, Ops: ops}
}

func ok(p int, inv, comp int64, ops ...history.MicroOp) Txn {
	return txn(history.OK, p, inv, comp, ops...)
}

// unread strips the read results, as an invoke records them.
func unread(ops ...history.MicroOp) []history.MicroOp {
	out := slices.Clone(ops)
	for i := range out {
		if out[i].F == history.MopRead {
			out[i].L = nil
		}
	}
	return out
}

func failed(p int, inv, comp int64, ops ...history.MicroOp) Txn {
	return txn(history.Fail, p, inv, comp, unread(ops...)...)
}

func info(p int, inv int64, ops ...history.MicroOp) Txn {
	return txn(history.Info, p, inv, -1, unread(ops...)...)
}

const (
	x = 1
	y = 2
)

// longFork: T1 sees T0's append to x but not T2's to y, T3 the reverse.
func longFork() []Txn {
	return []Txn{
		ok(0, 0, 10, app(x, 1)),
		ok(1, 0, 10, rd(x, 1), rd(y)),
		ok(2, 0, 10, app(y, 1)),
		ok(3, 0, 10, rd(y, 1), rd(x)),
	}
}

// forkThroughOrder is a long fork whose first edge is order alone:
// T0 -> T1 -rw(y)-> T2 -wr(y)-> T3 -rw(x)-> T0, T1 starting after T0
// completed, in T0's process when p1 is 0. Its data edges are acyclic.
func forkThroughOrder(p1 int) []Txn {
	return []Txn{
		ok(0, 0, 10, app(x, 1)),
		ok(p1, 20, 30, rd(y)),
		ok(1, 0, 30, app(y, 1)),
		ok(2, 0, 30, rd(y, 1), rd(x)),
	}
}

type anomalyCase struct {
	name string
	txns []Txn
	// want are anomaly types that must be found; none means no anomaly at all.
	want []string
	// valid and invalid list models the history satisfies / violates.
	valid, invalid []string
}

var anomalyCases = []anomalyCase{
	{
		name: "serial",
		txns: []Txn{
			ok(0, 0, 1, app(x, 1)),
			ok(1, 2, 3, rd(x, 1), app(x, 2)),
			ok(0, 4, 5, rd(x, 1, 2), rd(y)),
		},
		valid: []string{StrictSerializable},
	},
	{
		name: "concurrent serializable",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 5, 15, rd(x, 1), app(y, 1)),
			ok(2, 8, 20, rd(y), rd(x)),
			ok(3, 12, 30, rd(y, 1), app(x, 2), rd(x, 1, 2)),
			ok(0, 21, 31, rd(x, 1, 2), rd(y, 1)),
		},
		valid: []string{StrictSerializable},
	},
	{
		name: "G0 write cycle",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1), app(y, 2)),
			ok(1, 0, 10, app(x, 2), app(y, 1)),
			ok(2, 20, 30, rd(x, 1, 2), rd(y, 1, 2)),
		},
		want:    []string{"G0"},
		invalid: []string{ReadUncommitted, ReadCommitted},
	},
	{
		name: "G0 through an indeterminate transaction",
		txns: []Txn{
			info(0, 0, app(x, 1), app(y, 2)),
			ok(1, 0, 10, app(x, 2), app(y, 1)),
			ok(2, 20, 30, rd(x, 1, 2), rd(y, 1, 2)),
		},
		want:    []string{"G0"},
		invalid: []string{ReadCommitted},
	},
	{
		name: "G1a aborted read",
		txns: []Txn{
			failed(0, 0, 10, app(x, 1)),
			ok(1, 20, 30, rd(x, 1)),
		},
		want:    []string{"G1a"},
		valid:   []string{ReadUncommitted},
		invalid: []string{ReadCommitted},
	},
	{
		name: "G0 across a failed append",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1), app(y, 2)),
			failed(1, 0, 10, app(x, 2)),
			ok(2, 0, 10, app(x, 3), app(y, 1)),
			ok(3, 20, 30, rd(x, 1, 2, 3), rd(y, 1, 2)),
		},
		want:    []string{"G1a", "G0"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "G1b intermediate read",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1), app(x, 2)),
			ok(1, 5, 15, rd(x, 1)),
		},
		want:    []string{"G1b"},
		invalid: []string{ReadCommitted},
	},
	{
		name: "G1c circular information flow",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1), rd(y, 1)),
			ok(1, 0, 10, app(y, 1), rd(x, 1)),
		},
		want:    []string{"G1c"},
		valid:   []string{ReadUncommitted},
		invalid: []string{ReadCommitted},
	},
	{
		name: "G-single read skew",
		txns: []Txn{
			ok(0, 0, 10, rd(x), rd(y, 1)),
			ok(1, 0, 10, app(x, 1), app(y, 1)),
		},
		want:    []string{"G-single"},
		valid:   []string{ReadCommitted},
		invalid: []string{SnapshotIsolation, Serializable},
	},
	{
		name: "G2-item write skew",
		txns: []Txn{
			ok(0, 0, 10, rd(x), app(y, 1)),
			ok(1, 0, 10, rd(y), app(x, 1)),
			ok(2, 20, 30, rd(x, 1), rd(y, 1)),
		},
		want:    []string{"G2-item"},
		valid:   []string{SnapshotIsolation, StrongSnapshotIsolation},
		invalid: []string{RepeatableRead, Serializable},
	},
	{
		name:    "G-nonadjacent-item long fork",
		txns:    longFork(),
		want:    []string{"G-nonadjacent-item"},
		valid:   []string{ReadCommitted},
		invalid: []string{SnapshotIsolation, RepeatableRead, Serializable, StrongSessionSnapshotIsolation, StrictSerializable},
	},
	{
		// T1 and T3 also write-skew on keys 3 and 4: a G2-item cycle in
		// the same component must not hide the long fork.
		name: "G-nonadjacent-item long fork beside write skew",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 0, 10, rd(x, 1), rd(y), rd(3), app(4, 1)),
			ok(2, 0, 10, app(y, 1)),
			ok(3, 0, 10, rd(y, 1), rd(x), rd(4), app(3, 1)),
			ok(4, 20, 30, rd(3, 1), rd(4, 1)),
		},
		want:    []string{"G-nonadjacent-item"},
		valid:   []string{ReadCommitted},
		invalid: []string{SnapshotIsolation},
	},
	{
		name:    "G-nonadjacent-item-process long fork through one session",
		txns:    forkThroughOrder(0),
		want:    []string{"G-nonadjacent-item-process"},
		valid:   []string{Serializable},
		invalid: []string{StrongSessionSnapshotIsolation, StrongSessionSerializable, StrictSerializable},
	},
	{
		name:    "G-nonadjacent-item-realtime long fork through real time",
		txns:    forkThroughOrder(3),
		want:    []string{"G-nonadjacent-item-realtime"},
		valid:   []string{Serializable, StrongSessionSnapshotIsolation, StrongSessionSerializable},
		invalid: []string{StrongSnapshotIsolation, StrictSerializable},
	},
	{
		name: "lost update",
		txns: []Txn{
			ok(0, 0, 10, rd(x), app(x, 1)),
			ok(1, 0, 10, rd(x), app(x, 2)),
			ok(2, 20, 30, rd(x, 1, 2)),
		},
		want:    []string{"lost-update", "G-single"},
		valid:   []string{ReadCommitted},
		invalid: []string{SnapshotIsolation},
	},
	{
		name: "G-single-realtime stale read",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 20, 30, rd(x)),
		},
		want:    []string{"G-single-realtime"},
		valid:   []string{Serializable, StrongSessionSerializable},
		invalid: []string{StrictSerializable, StrongSnapshotIsolation},
	},
	{
		name: "G-single-process stale read in one session",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(0, 20, 30, rd(x)),
		},
		want:    []string{"G-single-process"},
		valid:   []string{Serializable},
		invalid: []string{StrongSessionSerializable, StrongSessionSnapshotIsolation, StrictSerializable},
	},
	{
		name: "internal: read misses own append",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1), rd(x)),
		},
		want:    []string{"internal"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "internal: second read disagrees with first",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 20, 30, rd(x, 1), app(x, 2), rd(x, 1, 3)),
			ok(2, 0, 10, app(x, 3)),
		},
		want:    []string{"internal"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "future read of own append",
		txns: []Txn{
			ok(0, 0, 10, rd(x, 1), app(x, 1)),
		},
		want:    []string{"future-read"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "duplicate elements",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 20, 30, rd(x, 1, 1)),
		},
		want:    []string{"duplicate-elements"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "garbage read",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 20, 30, rd(x, 1, 9)),
		},
		want:    []string{"garbage-read"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "incompatible order",
		txns: []Txn{
			ok(0, 0, 10, app(x, 1)),
			ok(1, 0, 10, app(x, 2)),
			ok(2, 20, 30, rd(x, 1, 2)),
			ok(3, 20, 30, rd(x, 2, 1)),
		},
		want:    []string{"incompatible-order"},
		invalid: []string{ReadUncommitted},
	},
	{
		name: "indeterminate writes, observed and not",
		txns: []Txn{
			info(0, 0, app(x, 1)),
			info(1, 0, app(x, 2)),
			failed(2, 0, 5, app(x, 3)),
			ok(3, 20, 30, rd(x, 1)),
		},
		valid: []string{StrictSerializable},
	},
}

func TestAnomalies(t *testing.T) {
	for _, tc := range anomalyCases {
		t.Run(tc.name, func(t *testing.T) {
			r := Check(tc.txns, Options{Model: StrictSerializable})
			if len(tc.want) == 0 && len(r.Counts) > 0 {
				t.Errorf("found anomalies %v, want none: %+v", r.Counts, r.Anomalies)
			}
			for _, w := range tc.want {
				if r.Counts[w] == 0 {
					t.Errorf("did not find %s; found %v", w, r.Counts)
				}
			}
			for _, m := range tc.valid {
				if r := Check(tc.txns, Options{Model: m}); r.Status != Valid {
					t.Errorf("under %s: %s %v, want valid", m, r.Status, r.Violations)
				}
			}
			for _, m := range tc.invalid {
				if r := Check(tc.txns, Options{Model: m}); r.Status != Invalid {
					t.Errorf("under %s: %s, want invalid (found %v)", m, r.Status, r.Counts)
				}
			}
		})
	}
}
