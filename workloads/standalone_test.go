package workloads

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/workloads/internal/testdb"
)

// runWorkload sets kind up through nodes[0], runs it for d and reads the
// final state of every node.
func runWorkload(t *testing.T, ctx context.Context, w scenarios.Workload, nodes []targets.Node, router *Router, d time.Duration, during func()) ([]opPair, []history.FinalNode) {
	t.Helper()
	wl := mustNew(t, w, 7)
	setupOn(t, wl, nodes[0])
	rec := &memRecorder{}
	pool, err := NewPool(wl, ConfigFor(w, nodes, router, rec, nil))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	if during != nil {
		wg.Go(during)
	}
	if err := pool.Run(ctx, d); err != nil {
		t.Fatalf("run %s: %v", w.Kind, err)
	}
	wg.Wait()
	ops := rec.pairs(t)
	st := pool.Stats()
	if got := st.Total.OK + st.Total.Fail + st.Total.Info; got != int64(len(ops)) {
		t.Errorf("%s: stats count %d completions, history %d", w.Kind, got, len(ops))
	}
	var finals []history.FinalNode
	for _, n := range nodes {
		fn, err := wl.FinalRead(ctx, n)
		if err == nil {
			finals = append(finals, fn)
		}
	}
	t.Logf("%s: %v over %s (%.0f ok/s, p99 %s)", w.Kind, countTypes(ops), d, st.OKRate.Mean, st.Total.P99)
	return ops, finals
}

func TestIntegrationStandaloneWorkloads(t *testing.T) {
	skipShort(t)
	srv := testdb.Start(t)
	nodes := []targets.Node{srv.Node}
	ctx := t.Context()
	for _, kind := range []string{scenarios.WorkloadLedger, scenarios.WorkloadBank, scenarios.WorkloadListAppend, scenarios.WorkloadRegister} {
		t.Run(kind, func(t *testing.T) {
			w := scenarios.Workload{Kind: kind, Clients: 4, Routing: srv.Node.Name, Keys: 4, LockingReads: true}
			ops, finals := runWorkload(t, ctx, w, nodes, nil, 2*time.Second, nil)
			c := countTypes(ops)
			if c[history.OK] < 20 || c[history.Info] != 0 {
				t.Fatalf("%s: %v, want mostly ok and no info on a healthy server", kind, c)
			}
			if len(finals) != 1 || finals[0].Checksums[wlTables(kind)] == 0 || finals[0].GTIDBinlog == "" {
				t.Fatalf("final read %+v", finals)
			}
			switch kind {
			case scenarios.WorkloadLedger:
				if c[history.Fail] != 0 {
					t.Errorf("ledger failed %d adds on a healthy server", c[history.Fail])
				}
				checkLedger(t, ops, finals)
			case scenarios.WorkloadBank:
				checkBank(t, ops, finals, 500)
			case scenarios.WorkloadListAppend:
				checkLists(t, ops, finals)
			case scenarios.WorkloadRegister:
				checkRegisters(t, ops, finals)
			}
		})
	}
}

func wlTables(kind string) string {
	return map[string]string{"ledger": "ledger", "bank": "accounts", "list-append": "lists", "register": "registers"}[kind]
}

// With primary routing, clients record nothing while no primary is known,
// and start when the router names one.
func TestIntegrationPrimaryRoutingWaits(t *testing.T) {
	skipShort(t)
	srv := testdb.Start(t)
	router := NewRouter()
	start := time.Now()
	ops, finals := runWorkload(t, t.Context(), scenarios.Workload{Kind: "ledger", Clients: 2}, []targets.Node{srv.Node}, router, 2*time.Second, func() {
		time.Sleep(time.Second)
		router.SetPrimary(srv.Node.Name)
	})
	if len(ops) == 0 {
		t.Fatal("no operations after the primary was named")
	}
	for _, o := range ops {
		if o.inv.Wall < start.Add(time.Second).UnixNano() {
			t.Fatalf("operation invoked at %v, before the primary was known", time.Duration(o.inv.Wall-start.UnixNano()))
		}
	}
	checkLedger(t, ops, finals)
}

// A client whose node is killed records info or fail, never ok, for the
// operation in flight, then moves to the other node; the pool keeps going.
func TestIntegrationNodeKilledAnyRouting(t *testing.T) {
	skipShort(t)
	a, b := testdb.Start(t), testdb.Start(t)
	a.Node.Name, b.Node.Name = "a", "b"
	nodes := []targets.Node{a.Node, b.Node}
	// Both servers need the schema: they are independent.
	setupOn(t, mustNew(t, scenarios.Workload{Kind: "ledger"}, 1), b.Node)
	var killedAt, killed time.Time
	ops, _ := runWorkload(t, t.Context(), scenarios.Workload{Kind: "ledger", Clients: 4, Routing: RouteAny, OpTimeout: scenarios.Duration(2 * time.Second)}, nodes, nil, 4*time.Second, func() {
		time.Sleep(1500 * time.Millisecond)
		killedAt = time.Now()
		a.Kill()
		killed = time.Now()
	})
	var okAfterOnA, okOnBAfter, notOK int
	for _, o := range ops {
		switch {
		case o.done.Type != history.OK:
			notOK++
			if o.done.Node != "a" {
				t.Errorf("op on healthy node b did not succeed: %+v", o.done)
			}
		case o.done.Node == "a" && o.inv.Wall > killed.UnixNano():
			okAfterOnA++
		case o.done.Node == "b" && o.inv.Wall > killedAt.UnixNano():
			okOnBAfter++
		}
	}
	if okAfterOnA != 0 {
		t.Errorf("%d operations invoked on the killed node after it died were acknowledged", okAfterOnA)
	}
	if notOK == 0 {
		t.Errorf("no operation in flight on the killed node was recorded as info/fail")
	}
	if okOnBAfter < 50 {
		t.Errorf("only %d ok on node b after the kill: the pool did not keep running", okOnBAfter)
	}
	t.Logf("after kill: %d not ok on a, %d ok on b", notOK, okOnBAfter)
}

// Open loop: operations start on a fixed schedule and record it.
func TestIntegrationOpenLoopRecordsIntended(t *testing.T) {
	skipShort(t)
	srv := testdb.Start(t)
	w := scenarios.Workload{Kind: "ledger", Clients: 3, Rate: 200, OpenLoop: true, Routing: srv.Node.Name}
	ops, _ := runWorkload(t, t.Context(), w, []targets.Node{srv.Node}, nil, 2*time.Second, nil)
	// Fewer when the machine is loaded (3 clients cannot keep up with slow
	// operations), never more.
	if n := len(ops); n < 100 || n > 410 {
		t.Fatalf("%d operations in 2s at 200/s", n)
	}
	slots := make([]int64, 0, len(ops))
	for _, o := range ops {
		if o.inv.Intended == 0 || o.inv.Intended > o.inv.Time || o.done.Intended != o.inv.Intended {
			t.Fatalf("intended %d, invoke at %d, completion intended %d", o.inv.Intended, o.inv.Time, o.done.Intended)
		}
		slots = append(slots, o.inv.Intended)
	}
	slices.Sort(slots)
	for i := 1; i < len(slots); i++ {
		if d := time.Duration(slots[i] - slots[i-1]); d < 4900*time.Microsecond || d > 5100*time.Microsecond {
			t.Fatalf("slots %d and %d are %v apart, want 5ms", i-1, i, d)
		}
	}
}

// Closed loop with a rate: the rate is the total over all clients.
func TestIntegrationClosedLoopRate(t *testing.T) {
	skipShort(t)
	srv := testdb.Start(t)
	w := scenarios.Workload{Kind: "register", Clients: 4, Rate: 100, Routing: srv.Node.Name}
	ops, _ := runWorkload(t, t.Context(), w, []targets.Node{srv.Node}, nil, 2*time.Second, nil)
	if n := len(ops); n < 50 || n > 210 {
		t.Fatalf("%d operations in 2s at 100/s", n)
	}
	for _, o := range ops {
		if o.inv.Intended != 0 {
			t.Fatalf("closed loop recorded an intended start")
		}
	}
}

// skipShort skips integration tests in -short runs (the unit tier); make
// test-integration runs them.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test against a real mariadbd: run without -short (make test-integration)")
	}
}

// A node that refuses writes (read-only) fails every add at once; the
// client backs off instead of filling the history with refusals.
func TestIntegrationReadOnlyNodeIsNotHammered(t *testing.T) {
	skipShort(t)
	srv := testdb.Start(t)
	root := srv.DB(t, "")
	for _, q := range []string{
		"CREATE USER plain@'%' IDENTIFIED BY 'pw'",
		"GRANT SELECT, INSERT, CREATE, DROP ON *.* TO plain@'%'",
	} {
		if _, err := root.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	node := srv.Node
	node.User, node.Password = "plain", "pw"
	setupOn(t, mustNew(t, scenarios.Workload{Kind: "ledger"}, 1), node)
	if _, err := root.ExecContext(t.Context(), "SET GLOBAL read_only = 1"); err != nil {
		t.Fatal(err)
	}
	w := scenarios.Workload{Kind: "ledger", Clients: 2, Routing: node.Name}
	rec := &memRecorder{}
	pool, err := NewPool(mustNew(t, w, 1), ConfigFor(w, []targets.Node{node}, nil, rec, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.Run(t.Context(), 2*time.Second); err != nil {
		t.Fatal(err)
	}
	ops := rec.pairs(t)
	c := countTypes(ops)
	if c[history.Fail] != len(ops) || len(ops) == 0 {
		t.Fatalf("%v: want only fails on a read-only node", c)
	}
	if len(ops) > 60 {
		t.Fatalf("%d refused operations in 2s by 2 clients: no back-off", len(ops))
	}
	if !strings.Contains(ops[0].done.Err, "1290") {
		t.Fatalf("error %q, want 1290 read-only", ops[0].done.Err)
	}
	t.Logf("%d refused operations in 2s: %s", len(ops), ops[0].done.Err)
}
