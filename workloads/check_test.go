package workloads

import (
	"encoding/json"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

// The checks below are what a fault-free run must satisfy: every
// acknowledged write is in the final state of every node read.

func checkLedger(t *testing.T, ops []opPair, finals []history.FinalNode) {
	t.Helper()
	for _, fn := range finals {
		have := map[int64]bool{}
		for _, v := range fn.Ledger {
			have[v] = true
		}
		for _, o := range ops {
			var v int64
			json.Unmarshal(o.done.Value, &v)
			if o.done.Type == history.OK && !have[v] {
				t.Errorf("ledger: acknowledged value %d missing on %s", v, fn.Node)
			}
		}
	}
}

func checkBank(t *testing.T, ops []opPair, finals []history.FinalNode, total int64) {
	t.Helper()
	for _, o := range ops {
		if o.done.Type != history.OK || o.done.F != "read" {
			continue
		}
		var r history.BankRead
		if err := json.Unmarshal(o.done.Value, &r); err != nil {
			t.Fatalf("bank read %s: %v", o.done.Value, err)
		}
		if s := sum(r.Balances); s != total {
			t.Errorf("bank: read %v sums to %d, want %d", r.Balances, s, total)
		}
	}
	for _, fn := range finals {
		var s int64
		for _, b := range fn.Balances {
			s += b
		}
		if s != total {
			t.Errorf("bank: final balances on %s %v sum to %d, want %d", fn.Node, fn.Balances, s, total)
		}
	}
}

func sum(xs []int64) (s int64) {
	for _, x := range xs {
		s += x
	}
	return s
}

func checkLists(t *testing.T, ops []opPair, finals []history.FinalNode) {
	t.Helper()
	for _, fn := range finals {
		for _, o := range ops {
			var mops []history.MicroOp
			if err := json.Unmarshal(o.done.Value, &mops); err != nil {
				t.Fatalf("txn %s: %v", o.done.Value, err)
			}
			for _, m := range mops {
				final := fn.Lists[m.K]
				switch {
				case o.done.Type != history.OK:
				case m.F == history.MopAppend && !slices.Contains(final, m.V):
					t.Errorf("list-append: acknowledged append %d to key %d missing on %s (%v)", m.V, m.K, fn.Node, final)
				case m.F == history.MopRead && (m.L == nil || len(m.L) > len(final) || !slices.Equal(final[:len(m.L)], m.L)):
					t.Errorf("list-append: read %v of key %d is not a prefix of the final %v on %s", m.L, m.K, final, fn.Node)
				}
			}
		}
	}
}

// checkRegisters: each key's final value was written by an acknowledged
// (or indeterminate) write or cas that no acknowledged write of that key
// followed in real time; a key never written holds RegisterInitial.
func checkRegisters(t *testing.T, ops []opPair, finals []history.FinalNode) {
	t.Helper()
	type write struct {
		inv, done int64
		ok        bool
	}
	writes := map[int64]map[int64]write{} // key → value → write
	for _, o := range ops {
		var r history.RegisterOp
		json.Unmarshal(o.done.Value, &r)
		v := r.V
		if o.done.F == "cas" {
			v = r.New
		}
		if o.done.F == "read" || o.done.Type == history.Fail {
			continue
		}
		if writes[r.K] == nil {
			writes[r.K] = map[int64]write{}
		}
		writes[r.K][*v] = write{o.inv.Time, o.done.Time, o.done.Type == history.OK}
	}
	for _, fn := range finals {
		for k, v := range fn.Registers {
			ws := writes[k]
			if len(ws) == 0 {
				if v != RegisterInitial {
					t.Errorf("register %d on %s: %d, never written", k, fn.Node, v)
				}
				continue
			}
			w, found := ws[v]
			if !found {
				t.Errorf("register %d on %s: final %d was never written", k, fn.Node, v)
				continue
			}
			for v2, w2 := range ws {
				if w2.ok && w2.inv > w.done {
					t.Errorf("register %d on %s: final %d, but write of %d started after it completed", k, fn.Node, v, v2)
				}
			}
		}
	}
}
