package workloads

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
)

func mustNew(t testing.TB, w scenarios.Workload, seed int64) Workload {
	t.Helper()
	wl, err := New(w, seed)
	if err != nil {
		t.Fatalf("New(%+v): %v", w, err)
	}
	return wl
}

func draw(c Client, n int) []*Op {
	ops := make([]*Op, n)
	for i := range ops {
		ops[i] = c.Next()
	}
	return ops
}

func TestLedgerValuesUniqueAcrossClients(t *testing.T) {
	wl := mustNew(t, scenarios.Workload{Kind: scenarios.WorkloadLedger}, 1)
	seen := map[int64]bool{}
	for id := range 4 {
		for i, op := range draw(wl.NewClient(id), 1000) {
			var v int64
			if err := json.Unmarshal(op.Value, &v); err != nil {
				t.Fatalf("ledger value %s: %v", op.Value, err)
			}
			if op.F != "add" || v != LedgerValue(id, int64(i+1)) || seen[v] {
				t.Fatalf("client %d op %d: f=%s v=%d (seen %v)", id, i, op.F, v, seen[v])
			}
			seen[v] = true
		}
	}
}

func TestBankTransfers(t *testing.T) {
	wl := mustNew(t, scenarios.Workload{Kind: scenarios.WorkloadBank, Accounts: 7}, 3)
	reads := 0
	for _, op := range draw(wl.NewClient(0), 2000) {
		if op.F == "read" {
			reads++
			if !op.ReadOnly || op.Value != nil {
				t.Fatalf("read op: readOnly=%v value=%s", op.ReadOnly, op.Value)
			}
			continue
		}
		var tr history.Transfer
		if err := json.Unmarshal(op.Value, &tr); err != nil {
			t.Fatal(err)
		}
		if tr.From == tr.To || tr.From < 0 || tr.From >= 7 || tr.To < 0 || tr.To >= 7 || tr.Amount < 1 || tr.Amount > bankMaxAmount {
			t.Fatalf("bad transfer %+v", tr)
		}
	}
	if reads < 800 || reads > 1200 {
		t.Fatalf("%d reads of 2000 with read fraction 0.5", reads)
	}
}

func TestInitialBalancesSumToTotal(t *testing.T) {
	var sum int64
	for id := range int64(7) {
		sum += InitialBalance(1003, 7, id)
	}
	if sum != 1003 {
		t.Fatalf("initial balances sum to %d, want 1003", sum)
	}
}

func TestListAppendTxns(t *testing.T) {
	wl := mustNew(t, scenarios.Workload{Kind: scenarios.WorkloadListAppend, Keys: 5, MinTxnLength: 2, MaxTxnLength: 5}, 9)
	appended := map[int64]bool{}
	perKey := map[int64]int{}
	lengths := map[int]int{}
	for id := range 3 {
		for _, op := range draw(wl.NewClient(id), 500) {
			var mops []history.MicroOp
			if err := json.Unmarshal(op.Value, &mops); err != nil {
				t.Fatalf("txn %s: %v", op.Value, err)
			}
			lengths[len(mops)]++
			ro := true
			for _, m := range mops {
				switch m.F {
				case history.MopAppend:
					ro = false
					if appended[m.V] {
						t.Fatalf("value %d appended twice", m.V)
					}
					appended[m.V] = true
					perKey[m.K]++
				case history.MopRead:
					if m.L != nil {
						t.Fatalf("invoke read carries a list: %s", op.Value)
					}
				}
			}
			if ro != op.ReadOnly {
				t.Fatalf("txn %s: ReadOnly=%v", op.Value, op.ReadOnly)
			}
		}
	}
	for n := range lengths {
		if n < 2 || n > 5 {
			t.Fatalf("transaction of %d micro-ops outside 2..5", n)
		}
	}
	for k, n := range perKey {
		if n > MaxAppendsPerKey {
			t.Fatalf("key %d got %d appends, more than %d", k, n, MaxAppendsPerKey)
		}
	}
	if len(perKey) <= 5 {
		t.Fatalf("keys did not rotate: %d keys used", len(perKey))
	}
}

func TestKeyPoolSkew(t *testing.T) {
	p := newKeyPool(10, 1<<30)
	rng := rand.New(rand.NewSource(1))
	hits := make([]int, 10)
	for range 10000 {
		hits[p.pick(rng, false)]++
	}
	if hits[0] < 2*hits[9] || hits[0] < hits[5] {
		t.Fatalf("no skew toward the front: %v", hits)
	}
}

func TestRegisterOps(t *testing.T) {
	wl := mustNew(t, scenarios.Workload{Kind: scenarios.WorkloadRegister, Keys: 3}, 5)
	written := map[int64]bool{}
	counts := map[string]int{}
	for _, op := range draw(wl.NewClient(0), 1000) {
		counts[op.F]++
		var r history.RegisterOp
		if err := json.Unmarshal(op.Value, &r); err != nil {
			t.Fatal(err)
		}
		if r.K < 0 || r.K >= 3 {
			t.Fatalf("key %d out of range", r.K)
		}
		switch op.F {
		case "read":
			if r.V != nil || !op.ReadOnly {
				t.Fatalf("read invoke %s", op.Value)
			}
		case "write":
			if written[*r.V] {
				t.Fatalf("value %d written twice", *r.V)
			}
			written[*r.V] = true
		case "cas":
			if r.Old == nil || r.New == nil || written[*r.New] {
				t.Fatalf("cas invoke %s", op.Value)
			}
			written[*r.New] = true
		}
	}
	if counts["read"] == 0 || counts["write"] == 0 || counts["cas"] == 0 {
		t.Fatalf("op mix %v", counts)
	}
}

// The same seed gives the same operations; another seed does not.
func TestGeneratorsAreSeeded(t *testing.T) {
	for _, kind := range []string{scenarios.WorkloadBank, scenarios.WorkloadListAppend, scenarios.WorkloadRegister} {
		values := func(seed int64) []string {
			var out []string
			for _, op := range draw(mustNew(t, scenarios.Workload{Kind: kind}, seed).NewClient(2), 50) {
				out = append(out, op.F+string(op.Value))
			}
			return out
		}
		if !reflect.DeepEqual(values(42), values(42)) {
			t.Errorf("%s: same seed, different operations", kind)
		}
		if reflect.DeepEqual(values(42), values(43)) {
			t.Errorf("%s: different seeds, same operations", kind)
		}
	}
}

func TestParseList(t *testing.T) {
	for in, want := range map[string][]int64{"": {}, "7": {7}, "1,2,17": {1, 2, 17}} {
		got, err := ParseList(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseList("1,x"); err == nil {
		t.Error("ParseList(1,x) did not fail")
	}
}

// Values recorded on ok decode to the shapes of history/values.go.
func TestResultEncoding(t *testing.T) {
	v := int64(5)
	got := string(marshal(history.RegisterOp{K: 1, V: &v}))
	if got != `{"k":1,"v":5}` {
		t.Errorf("register read = %s", got)
	}
	got = string(marshal(history.BankRead{Balances: []int64{100, 95}}))
	if got != `{"balances":[100,95]}` {
		t.Errorf("bank read = %s", got)
	}
	got = string(marshal([]history.MicroOp{{F: "append", K: 3, V: 17}, {F: "r", K: 4, L: []int64{1, 2, 17}}, {F: "r", K: 5, L: []int64{}}}))
	if got != `[["append",3,17],["r",4,[1,2,17]],["r",5,[]]]` {
		t.Errorf("txn = %s", got)
	}
}
