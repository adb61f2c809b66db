package workloads

import (
	"context"
	"sync"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// acceptanceDuration is how long each workload runs on a lab.
const acceptanceDuration = 20 * time.Second

func benchGalera(b *testing.B) []targets.Node {
	return localtest.TestLab(b, local.Config{Topology: local.Galera, Nodes: 3}).Nodes()
}

// TestIntegrationGaleraLab runs the four workloads at once for 20 s on a
// fault-free 3-node Galera lab, clients spread over every node, and checks
// every acknowledged write against every node's final state; then kills a
// node under the ledger.
func TestIntegrationGaleraLab(t *testing.T) {
	skipShort(t)
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 3})
	runAllWorkloads(t, lab, RouteAny, nil)
	t.Run("node-killed", func(t *testing.T) { nodeKilledOnLab(t, lab) })
}

// TestIntegrationReplicationLab does the same on a 3-node GTID replication
// lab, clients following the primary the router names.
func TestIntegrationReplicationLab(t *testing.T) {
	skipShort(t)
	lab := localtest.TestLab(t, local.Config{Topology: local.Replication, Nodes: 3})
	router := NewRouter()
	router.ObserveAll(targets.ProbeAll(t.Context(), lab))
	if p, _ := router.Primary(); p != lab.Primary() {
		t.Fatalf("router chose primary %q from probes, lab says %q", p, lab.Primary())
	}
	runAllWorkloads(t, lab, RoutePrimary, router)
}

// runAllWorkloads runs the four workloads concurrently on lab, waits for
// the lab to converge, and checks each workload's history and final reads.
func runAllWorkloads(t *testing.T, lab *local.Lab, routing string, router *Router) {
	kinds := []string{scenarios.WorkloadLedger, scenarios.WorkloadBank, scenarios.WorkloadListAppend, scenarios.WorkloadRegister}
	type result struct {
		ops []opPair
		wl  Workload
		rec *memRecorder
	}
	results := make([]result, len(kinds))
	var wg sync.WaitGroup
	for i, kind := range kinds {
		w := scenarios.Workload{Kind: kind, Clients: 3, Routing: routing, Keys: 8, LockingReads: true}
		wl := mustNew(t, w, int64(i+1))
		setupOn(t, wl, setupNode(t, lab, router), lab.Nodes()...)
		rec := &memRecorder{}
		pool, err := NewPool(wl, ConfigFor(w, lab.Nodes(), router, rec, nil))
		if err != nil {
			t.Fatal(err)
		}
		results[i] = result{wl: wl, rec: rec}
		wg.Go(func() {
			if err := pool.Run(t.Context(), acceptanceDuration); err != nil {
				t.Errorf("%s: %v", kind, err)
			}
		})
	}
	wg.Wait()
	for i := range results {
		results[i].ops = results[i].rec.pairs(t)
		t.Logf("%s: %v", kinds[i], countTypes(results[i].ops))
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatalf("lab did not converge after a fault-free run: %v", err)
	}
	t.Logf("converged in %s", time.Since(start).Round(time.Millisecond))
	for i, kind := range kinds {
		r := results[i]
		finals := finalReads(t, ctx, r.wl, lab.Nodes())
		checkNoIndeterminate(t, kind, r.ops)
		switch kind {
		case scenarios.WorkloadLedger:
			checkLedger(t, r.ops, finals)
		case scenarios.WorkloadBank:
			checkBank(t, r.ops, finals, 500)
		case scenarios.WorkloadListAppend:
			checkLists(t, r.ops, finals)
		case scenarios.WorkloadRegister:
			checkRegisters(t, r.ops, finals)
		}
	}
}

// setupNode is a writable node: the router's primary, else the first node.
func setupNode(t *testing.T, lab *local.Lab, router *Router) targets.Node {
	if router != nil {
		name, _ := router.Primary()
		if n, ok := targets.NodeByName(lab, name); ok {
			return n
		}
	}
	return lab.Nodes()[0]
}

func finalReads(t *testing.T, ctx context.Context, wl Workload, nodes []targets.Node) []history.FinalNode {
	t.Helper()
	var finals []history.FinalNode
	for _, n := range nodes {
		fn, err := wl.FinalRead(ctx, n)
		if err != nil {
			t.Fatalf("%s: %v", wl.Kind(), err)
		}
		finals = append(finals, fn)
	}
	return finals
}

// checkNoIndeterminate: a fault-free run has plenty of acknowledged
// operations and no indeterminate ones.
func checkNoIndeterminate(t *testing.T, kind string, ops []opPair) {
	t.Helper()
	c := countTypes(ops)
	if c[history.OK] < 100 {
		t.Errorf("%s: only %d ok operations in %s", kind, c[history.OK], acceptanceDuration)
	}
	if c[history.Info] != 0 {
		t.Errorf("%s: %d indeterminate operations in a fault-free run", kind, c[history.Info])
	}
}

// nodeKilledOnLab: one client per node; n2 is killed with SIGKILL. Its
// operation in flight is info or fail, none invoked on n2 after it died is
// acknowledged, and the pool keeps acknowledging on the other nodes.
func nodeKilledOnLab(t *testing.T, lab *local.Lab) {
	const victim = "n2"
	w := scenarios.Workload{Kind: scenarios.WorkloadLedger, Clients: 3, Routing: RouteAny}
	wl := mustNew(t, w, 9)
	setupOn(t, wl, lab.Nodes()[0], lab.Nodes()...)
	rec := &memRecorder{}
	pool, err := NewPool(wl, ConfigFor(w, lab.Nodes(), nil, rec, nil))
	if err != nil {
		t.Fatal(err)
	}
	var killed time.Time
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(3 * time.Second)
		if err := lab.StopNode(t.Context(), victim, false); err != nil {
			t.Errorf("stop %s: %v", victim, err)
		}
		killed = time.Now()
	})
	if err := pool.Run(t.Context(), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	ops := rec.pairs(t)
	var victimNotOK, victimOKAfter, othersOKAfter int
	for _, o := range ops {
		after := o.inv.Wall > killed.UnixNano()
		switch {
		case o.done.Node == victim && o.done.Type != history.OK:
			victimNotOK++
			t.Logf("on %s: %s %s", victim, o.done.Type, o.done.Err)
		case o.done.Node == victim && after:
			victimOKAfter++
		case o.done.Type == history.OK && after:
			othersOKAfter++
		}
	}
	t.Logf("kill of %s: %v; on %s not ok %d; ok elsewhere after the kill %d", victim, countTypes(ops), victim, victimNotOK, othersOKAfter)
	if victimOKAfter != 0 {
		t.Errorf("%d operations invoked on %s after it was killed were acknowledged", victimOKAfter, victim)
	}
	if victimNotOK == 0 {
		t.Errorf("the operation in flight on %s was not recorded as info or fail", victim)
	}
	if othersOKAfter < 100 {
		t.Errorf("only %d acknowledged operations on the other nodes after the kill", othersOKAfter)
	}
	var live []history.FinalNode
	for _, fn := range FinalReadAll(t.Context(), wl, lab.Nodes()) {
		if fn.Node == victim {
			if fn.Reachable {
				t.Errorf("final read reached the killed node %s", victim)
			}
			continue
		}
		if fn.Err != "" {
			t.Fatalf("final read of %s: %s", fn.Node, fn.Err)
		}
		live = append(live, fn)
	}
	checkLedger(t, ops, live)
}
