package all_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/all"
	"faultline.dev/faultline/internal/hostcaps"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/diskfs"
	"faultline.dev/faultline/targets/local/localtest"
)

// TestMain serves the disk-fault layer when the lab re-executes this binary.
func TestMain(m *testing.M) {
	diskfs.MaybeServe()
	os.Exit(m.Run())
}

// representativeNodes is the lab size per topology: enough nodes for every
// partition shape on Galera, the usual primary and two replicas otherwise.
var representativeNodes = map[string]int{scenarios.TopologyGalera: 5, scenarios.TopologyReplication: 3}

// TestIntegrationEveryAcceptedKindOnALab is the real-lab twin of
// TestEveryAcceptedStepBuilds: for every registered kind (every partition
// shape apart) and both topologies, the first generated scenario validation
// accepts on this host is built on a real lab, injected, shown to take
// effect, healed, and leaves a healthy cluster with nothing behind.
func TestIntegrationEveryAcceptedKindOnALab(t *testing.T) {
	caps := hostcaps.Host(context.Background())
	for _, topology := range []string{scenarios.TopologyGalera, scenarios.TopologyReplication} {
		t.Run(topology, func(t *testing.T) {
			n := representativeNodes[topology]
			reps := representatives(t, topology, n, caps)
			lab := localtest.TestLab(t, local.Config{Topology: topology, Nodes: n, Faketime: true, DiskFaults: true,
				ProviderOptions: map[string]string{"evs.suspect_timeout": "PT2S", "evs.inactive_timeout": "PT4S",
					"evs.inactive_check_period": "PT0.5S", "evs.keepalive_period": "PT0.5S", "evs.install_timeout": "PT4S"}})
			state := t.TempDir()
			ledger, err := injectors.OpenLedger(state)
			if err != nil {
				t.Fatal(err)
			}
			env := all.Env{StateDir: local.StateDir(""), Open: func(_ context.Context, name, dir string) (targets.Machine, error) {
				return local.Open(name, dir)
			}}
			for i, r := range reps {
				t.Run(r.name, func(t *testing.T) { injectOnLab(t, lab, ledger, env, fmt.Sprintf("rep%d%s", i, lab.Name()), r) })
			}
		})
	}
}

// representative is one accepted combination: its name and planned step.
type representative struct {
	name string
	step scenarios.PlannedStep
}

// representativeParams override faultParams where the first generated body
// is too weak to show above this machine's noise (a 5 ms fsync delay
// against fsyncs that take 3–10 ms on a loaded host).
var representativeParams = map[string][]string{"diskFault": {"{delay: 50ms, ops: [fsync]}"}}

func representatives(t *testing.T, topology string, n int, caps scenarios.Capabilities) []representative {
	var out []representative
	for _, kind := range all.Kinds() {
		params := faultParams[kind]
		if p, ok := representativeParams[kind]; ok {
			params = p
		}
		if kind == "partition" {
			params = nil
			for _, s := range scenarios.PartitionShapes() {
				if s != scenarios.ShapeGroups {
					params = append(params, "{shape: "+s+"}")
				}
			}
			params = append(params, groupsParam(scenarios.NodeNames(n)[:2], scenarios.NodeNames(n)[2:]))
		}
		for _, p := range params {
			if r, ok := firstAccepted(topology, n, kind, p, caps); ok {
				out = append(out, r)
				if kind != "partition" {
					break // one representative per kind; every shape of a partition
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no accepted combination on %s", topology)
	}
	return out
}

func firstAccepted(topology string, n int, kind, params string, caps scenarios.Capabilities) (representative, bool) {
	// One node where a selection is accepted (cheapest to heal), else the
	// first selection validation accepts.
	for _, sel := range append([]string{"{nodes: [n2]}"}, selectors(n)...) {
		s, err := scenarios.LoadBytes("rep.yaml", []byte(scenarioText(kind, topology, n, "diskFaults: true", params, sel)))
		if err == nil {
			err = scenarios.ValidateFor(s, caps)
		}
		if err != nil {
			continue
		}
		ps := scenarios.NewPlan(s, 1).Steps[0]
		name := kind + " " + params
		if sel != "" {
			name += " select " + sel
		}
		return representative{name: strings.NewReplacer(" ", "_", "/", "-").Replace(name), step: ps}, true
	}
	return representative{}, false
}

// injectOnLab resolves, builds, guards, injects, verifies and heals one
// step on the lab as the runner does, then waits for the cluster to be
// healthy and audits what the run left.
func injectOnLab(t *testing.T, lab *local.Lab, ledger injectors.Ledger, env all.Env, runID string, r representative) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	nodes, err := all.Select(r.step.Select, targets.ProbeAll(ctx, lab), lab.Nodes(), rand.New(rand.NewSource(1)))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("select %s: %v (%v)", r.step.Selector, err, nodes)
	}
	f, err := all.New(ctx, r.step.Kind, r.step.Params, lab, nodes, runID, env)
	if err != nil {
		t.Fatalf("build on %v: %v", nodes, err)
	}
	primary := lab.Primary()
	g := injectors.NewGuard(ledger, runID, r.step.ID, nodes, f).On(targets.Ref{Kind: "local", Name: lab.Name()})
	if err := g.Inject(ctx); err != nil {
		t.Fatalf("inject on %v: %v", nodes, err)
	}
	life, _ := all.NewRegistry(env).Lifecycle(r.step.Kind)
	if life.Proof != "" {
		ev, err := g.Verify(ctx)
		if err != nil || !ev.Held {
			g.Recover(ctx)
			t.Fatalf("effect on %v not shown: %+v, %v", nodes, ev, err)
		}
		t.Logf("%s on %v: %s", r.step.Kind, nodes, ev.Summary)
	}
	if life.OneShot {
		err = g.Complete()
	} else {
		err = g.Recover(ctx)
	}
	if err != nil {
		t.Fatalf("heal: %v", err)
	}
	if old := primary; old != "" && lab.Primary() != old {
		// A promote is not undone; as an operator would, make the old
		// primary a replica of the new one.
		if err := lab.Repoint(ctx, old); err != nil {
			t.Fatalf("repoint the old primary %s: %v", old, err)
		}
	}
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatalf("cluster not healthy after the heal: %v", err)
	}
	if left, err := all.Leftovers(ctx, runID, lab); err != nil || len(left) > 0 {
		t.Fatalf("left behind: %v, %v", left, err)
	}
	if recs, _ := ledger.List(runID); len(recs) != 0 {
		t.Fatalf("ledger records left: %+v", recs)
	}
}
