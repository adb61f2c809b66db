package scenarios

import "testing"

// galera5 is a 5-node galera target; n5Target any node count.
const galera5 = "  target:\n    local: {topology: galera, nodes: 5}\n"

func nodesTarget(topology string, n int) string {
	return "  target:\n    local: {topology: " + topology + ", nodes: " + itoa(n) + "}\n"
}

// TestRunRules: rules that a run would otherwise hit only when a step fires
// or the lab starts, each refused at validate time with its position.
func TestRunRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		doc      doc
		path     string
		contains string
	}{
		// partition shapes against node counts and selections (the planner's rules)
		{"majorities-ring on 3 nodes", doc{faults: step("partition: {shape: majorities-ring}")}, "spec.faults[0].partition.shape", "shape majorities-ring needs at least 4 nodes, target has 3"},
		{"majority-minority on 2 nodes", doc{target: nodesTarget("galera", 2), faults: step("partition: {shape: majority-minority}")}, "spec.faults[0].partition.shape", "needs at least 3 nodes, target has 2"},
		{"majority-minority selects a majority", doc{target: galera5, faults: step("select: {role: majority}", "partition: {shape: majority-minority}")}, "spec.faults[0].select", "3 of 5 nodes"},
		{"majority-minority selects half", doc{target: nodesTarget("galera", 4), faults: step("select: {nodes: [n1, n2]}", "partition: {shape: majority-minority}")}, "spec.faults[0].select", "expected at most 1 nodes"},
		{"majority-minority replicas", doc{target: replTarget, faults: step("select: {role: replicas}", "partition: {shape: majority-minority}")}, "spec.faults[0].select", "fewer than half"},
		{"one-way selects every node", doc{faults: step("select: {nodes: [n1, n2, n3]}", "partition: {shape: one-way}")}, "spec.faults[0].select", "may resolve to all 3 nodes"},
		{"one-way majority of 2", doc{target: nodesTarget("galera", 2), faults: step("select: {role: majority}", "partition: {shape: one-way}")}, "spec.faults[0].select", "leaves at least one node"},
		{"one-way zone holding every node", doc{target: "  target:\n    local: {topology: galera, nodes: 2, zones: [a, a]}\n", faults: step("select: {zone: a}", "partition: {shape: one-way}")}, "spec.faults[0].select", "all 2 nodes"},
		{"groups leave a node out", doc{faults: step("partition: {shape: groups, groups: [[n1], [n2]]}")}, "spec.faults[0].partition.groups", "n3 in no group"},
		// thresholds of checks that do not run for the workload (verify's table)
		{"rpo on bank", doc{workload: "  workload: {kind: bank, duration: 60s}\n", verify: "    rpo: 0s\n"}, "spec.verify.rpo", "rpo check does not apply to bank workloads"},
		{"rpo on register", doc{workload: "  workload: {kind: register, duration: 60s}\n", verify: "    rpo: 0s\n"}, "spec.verify.rpo", "verify runs linearizable, split-brain, rto, convergence"},
		{"lost-writes on bank", doc{workload: "  workload: {kind: bank, duration: 60s}\n", verify: "    checks: [bank, lost-writes]\n"}, "spec.verify.checks[1]", "does not apply to bank"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantOneError(t, tc.doc, tc.path, tc.contains) })
	}
}
