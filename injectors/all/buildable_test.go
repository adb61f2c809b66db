package all_test

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/all"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// faultParams are the fault bodies generated per kind; partition's are
// generated per shape (partitionParams). A kind the registry has and this
// table lacks fails the test: a new fault must be walked too.
var faultParams = map[string][]string{
	"latency":      {"{delay: 20ms, jitter: 5ms, loss: 1}"},
	"bandwidth":    {"{rate: 1MiB}", "{rate: 64KiB, direction: in}", "{rate: 1MB, direction: out}"},
	"clockSkew":    {"{offset: 1h}", "{offset: -30s}"},
	"diskThrottle": {"{writeIops: 20}", "{readBps: 1MiB, writeBps: 1MiB}"},
	"diskFault":    {"{delay: 5ms, ops: [fsync]}", "{errorRate: 1, path: ib_logfile}"},
	"kill":         {"{}"}, "pause": {"{}"}, "restart": {"{}"}, "promote": {"{}"},
	"azDrain": {"{zone: a}", "{zone: b}", "{zone: c}"},
}

func partitionParams(n int) []string {
	var out []string
	for _, s := range scenarios.PartitionShapes() {
		if s != scenarios.ShapeGroups {
			out = append(out, "{shape: "+s+"}")
			continue
		}
		names := scenarios.NodeNames(n)
		for cut := 1; cut < n; cut++ { // every node in a group, then one left out
			out = append(out, groupsParam(names[:cut], names[cut:]), groupsParam(names[:cut], names[cut:n-1]))
		}
	}
	return out
}

func groupsParam(a, b []string) string {
	return "{shape: groups, groups: [[" + strings.Join(a, ", ") + "], [" + strings.Join(b, ", ") + "]]}"
}

// selectors are every kind of selection, for any node count.
func selectors(n int) []string {
	out := []string{"", "{nodes: [n1]}", "{nodes: [n2]}", "{nodes: [" + strings.Join(scenarios.NodeNames(n), ", ") + "]}",
		"{zone: a}", "{zone: c}", "{role: primary}", "{role: replicas}", "{role: minority}", "{role: majority}",
		"{random: 1}", "{random: 2}", "{role: replicas, random: 1}", "{zone: a, random: 1}"}
	return out
}

// targetVariants are the lab switches that decide what a fault can reach.
var targetVariants = []string{"diskFaults: true", "faketime: false"}

// walk counts the combinations of one run of the property and keeps one
// fake machine per lab shape.
type walk struct {
	scenarios, refused, steps int
	stateDir                  string
	machines                  map[string]*fakeMachine
}

func (w *walk) machine(t *testing.T, lt *scenarios.LocalTarget) *fakeMachine {
	key := fmt.Sprint(lt.Topology, lt.Nodes, lt.Zones, *lt.Faketime, lt.DiskFaults)
	if w.machines[key] == nil {
		w.machines[key] = newFakeMachine(t, lt)
	}
	return w.machines[key]
}

// seeds is how many seeds a selection is resolved with: several when it
// draws nodes at random.
func seeds(sel scenarios.Selector) int64 {
	if sel.Random > 0 || sel.Role == scenarios.RoleMinority || sel.Role == scenarios.RoleMajority {
		return 3
	}
	return 1
}

// TestEveryAcceptedStepBuilds: for every registered fault kind, every
// partition shape, both topologies, 1..9 nodes, every kind of selection and
// the lab switches, validation either refuses the scenario or every planned
// step resolves its selection and builds with all.New on a lab shaped like
// the target (build only, nothing is injected), and its recorded params
// rebuild through the registry. A rule a build enforces without its
// validation twin fails here.
func TestEveryAcceptedStepBuilds(t *testing.T) {
	reg := all.NewRegistry(all.Env{})
	kinds := reg.Kinds()
	if !sameSet(kinds, all.Kinds()) {
		t.Fatalf("registry kinds %v differ from all.Kinds() %v", kinds, all.Kinds())
	}
	caps := scenarios.Capabilities{NFQueue: true, Faketime: true, Blkio: disk.Version() != 0, FUSE: true}
	w := walk{stateDir: t.TempDir(), machines: map[string]*fakeMachine{}}
	built := map[string]int{}
	for _, kind := range kinds {
		if _, ok := faultParams[kind]; !ok && kind != "partition" {
			t.Errorf("no generated params for fault kind %q: add it to faultParams", kind)
		}
		for _, topology := range []string{scenarios.TopologyGalera, scenarios.TopologyReplication} {
			for n := 1; n <= scenarios.MaxNodes; n++ {
				params := faultParams[kind]
				if kind == "partition" {
					params = partitionParams(n)
				}
				for _, tv := range targetVariants {
					for _, p := range params {
						for _, sel := range selectors(n) {
							text := scenarioText(kind, topology, n, tv, p, sel)
							if buildAll(t, text, caps, &w) {
								built[kind]++
							}
						}
					}
				}
			}
		}
	}
	for _, kind := range kinds {
		if built[kind] == 0 {
			t.Errorf("kind %s: validation refused every generated scenario, so nothing of it was built", kind)
		}
	}
	t.Logf("walked %d scenarios (%d refused by validation, %d accepted), built %d steps; accepted per kind: %v",
		w.scenarios, w.refused, w.scenarios-w.refused, w.steps, built)
}

func scenarioText(kind, topology string, n int, targetVariant, params, sel string) string {
	step := "    - at: 10s\n      for: 10s\n"
	if kind == "promote" {
		step = "    - at: 10s\n"
	}
	if sel != "" {
		step += "      select: " + sel + "\n"
	}
	step += "      " + kind + ": " + params + "\n"
	return fmt.Sprintf(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: buildable}
spec:
  target:
    local: {topology: %s, nodes: %d, %s}
  workload: {kind: ledger, duration: 60s, clients: 2}
  faults:
%s`, topology, n, targetVariant, step)
}

// buildAll validates text and, when accepted, builds every planned step
// the way the runner does; it reports whether it built anything.
func buildAll(t *testing.T, text string, caps scenarios.Capabilities, w *walk) bool {
	t.Helper()
	w.scenarios++
	s, err := scenarios.LoadBytes("buildable.yaml", []byte(text))
	if err == nil {
		err = scenarios.ValidateFor(s, caps)
	}
	if err != nil {
		w.refused++
		return false
	}
	m := w.machine(t, s.Spec.Target.Local)
	env := all.Env{StateDir: w.stateDir, LatencyMethod: network.MethodNFQueue,
		Open: func(context.Context, string, string) (targets.Machine, error) { return m, nil }}
	reg := all.NewRegistry(env)
	plan := scenarios.NewPlan(s, 1)
	for _, ps := range plan.Steps {
		for seed := int64(1); seed <= seeds(ps.Select); seed++ {
			if err := buildStep(m, reg, env, ps, seed); err != nil {
				t.Errorf("validate accepted it, but %s fails when it fires: %v\n--- scenario:\n%s", ps.ID, err, text)
				return false
			}
			w.steps++
		}
	}
	return true
}

// buildStep resolves a planned step's selection from healthy probes as the
// runner does, builds its fault, and rebuilds it from its recorded params.
func buildStep(m *fakeMachine, reg *injectors.Registry, env all.Env, ps scenarios.PlannedStep, seed int64) error {
	ctx := context.Background()
	nodes, err := all.Select(ps.Select, m.probes(), m.Nodes(), rand.New(rand.NewSource(seed)))
	switch {
	case err != nil:
		return fmt.Errorf("select %s: %w", ps.Selector, err)
	case len(nodes) == 0:
		return fmt.Errorf("selector %s matched no node", ps.Selector)
	}
	f, err := all.New(ctx, ps.Kind, ps.Params, m, nodes, "buildable", env)
	if err != nil {
		return fmt.Errorf("build on %v: %w", nodes, err)
	}
	if _, err := reg.Build(f.Kind(), f.Params()); err != nil {
		return fmt.Errorf("rebuild from its recorded params: %w", err)
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
