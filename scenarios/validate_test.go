package scenarios

import "testing"

// TestValidationRules: each case breaks one rule and must get exactly one
// error, on the named field, at a real position, saying what is wrong.
func TestValidationRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// header
		{"apiVersion missing", doc{head: "kind: Scenario\nmetadata:\n  name: t\n"}, "apiVersion", "missing apiVersion"},
		{"apiVersion wrong", doc{head: "apiVersion: v1\nkind: Scenario\nmetadata:\n  name: t\n"}, "apiVersion", "faultline.dev/v1alpha1"},
		{"kind wrong", doc{head: "apiVersion: faultline.dev/v1alpha1\nkind: Job\nmetadata:\n  name: t\n"}, "kind", "expected Scenario"},
		{"name missing", doc{head: "apiVersion: faultline.dev/v1alpha1\nkind: Scenario\nmetadata:\n  description: x\n"}, "metadata.name", "missing metadata.name"},
		{"name not dns", doc{head: "apiVersion: faultline.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: My_Test\n"}, "metadata.name", "DNS-1123"},
		// target
		{"no target", doc{target: "  target: {}\n"}, "spec.target", "exactly one of local, kubernetes"},
		{"two targets", doc{target: defTarget + "    kubernetes: {namespace: db, statefulSet: m}\n"}, "spec.target.kubernetes", "exactly one"},
		{"topology unknown", doc{target: "  target:\n    local: {topology: raft, nodes: 3}\n"}, "spec.target.local.topology", "galera or replication"},
		{"topology missing", doc{target: "  target:\n    local: {nodes: 3}\n"}, "spec.target.local.topology", "missing topology"},
		{"nodes zero", doc{target: "  target:\n    local: {topology: galera, nodes: 0}\n"}, "spec.target.local.nodes", "expected 1..9"},
		{"nodes ten", doc{target: "  target:\n    local: {topology: galera, nodes: 10}\n"}, "spec.target.local.nodes", "expected 1..9"},
		{"nodes missing", doc{target: "  target:\n    local: {topology: galera}\n"}, "spec.target.local.nodes", "missing nodes"},
		{"zones length", doc{target: "  target:\n    local: {topology: galera, nodes: 3, zones: [a, b]}\n"}, "spec.target.local.zones", "2 zones for 3 nodes"},
		{"subnet not /24", doc{target: "  target:\n    local: {topology: galera, nodes: 3, subnet: 198.18.0.0/16}\n"}, "spec.target.local.subnet", "not a /24"},
		{"subnet outside", doc{target: "  target:\n    local: {topology: galera, nodes: 3, subnet: 192.168.1.0/24}\n"}, "spec.target.local.subnet", "outside the lab range"},
		{"subnet host bits", doc{target: "  target:\n    local: {topology: galera, nodes: 3, subnet: 198.18.4.7/24}\n"}, "spec.target.local.subnet", "host bits"},
		{"subnet garbage", doc{target: "  target:\n    local: {topology: galera, nodes: 3, subnet: lab}\n"}, "spec.target.local.subnet", "not a CIDR"},
		{"lab name too long", doc{target: "  target:\n    local: {topology: galera, nodes: 3, name: averylongname}\n"}, "spec.target.local.name", "at most 8"},
		{"nodeOptions unknown node", doc{target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      nodeOptions: {n4: {x: y}}\n"}, "spec.target.local.nodeOptions.n4", "unknown node"},
		{"semiSync on galera", doc{target: "  target:\n    local: {topology: galera, nodes: 3, semiSyncTimeout: 2s}\n"}, "spec.target.local.semiSyncTimeout", "replication topologies"},
		{"kube kube-system", doc{target: "  target:\n    kubernetes: {namespace: kube-system, statefulSet: m}\n"}, "spec.target.kubernetes.namespace", "never a chaos target"},
		{"kube kube-public", doc{target: "  target:\n    kubernetes: {namespace: kube-public, statefulSet: m}\n"}, "spec.target.kubernetes.namespace", "never a chaos target"},
		{"kube kube-node-lease", doc{target: "  target:\n    kubernetes: {namespace: kube-node-lease, statefulSet: m}\n"}, "spec.target.kubernetes.namespace", "never a chaos target"},
		{"kube no namespace", doc{target: "  target:\n    kubernetes: {statefulSet: m}\n"}, "spec.target.kubernetes.namespace", "missing namespace"},
		// workload
		{"workload kind unknown", doc{workload: "  workload: {kind: tpcc, duration: 60s}\n"}, "spec.workload.kind", "unknown workload kind"},
		{"workload kind missing", doc{workload: "  workload: {duration: 60s}\n"}, "spec.workload.kind", "missing kind"},
		{"duration missing", doc{workload: "  workload: {kind: ledger}\n"}, "spec.workload.duration", "missing duration"},
		{"duration zero", doc{workload: "  workload: {kind: ledger, duration: 0s}\n"}, "spec.workload.duration", "expected a duration > 0"},
		{"clients zero", doc{workload: "  workload: {kind: ledger, duration: 60s, clients: 0}\n"}, "spec.workload.clients", "at least 1"},
		{"keys zero", doc{workload: "  workload: {kind: register, duration: 60s, keys: 0}\n"}, "spec.workload.keys", "at least 1"},
		{"accounts one", doc{workload: "  workload: {kind: bank, duration: 60s, accounts: 1}\n"}, "spec.workload.accounts", "at least 2"},
		{"txn min > max", doc{workload: "  workload: {kind: list-append, duration: 60s, minTxnLength: 5, maxTxnLength: 3}\n"}, "spec.workload.minTxnLength", "min ≤ max"},
		{"readFraction > 1", doc{workload: "  workload: {kind: register, duration: 60s, readFraction: 1.5}\n"}, "spec.workload.readFraction", "0..1"},
		{"openLoop without rate", doc{workload: "  workload: {kind: ledger, duration: 60s, openLoop: true}\n"}, "spec.workload.openLoop", "rate > 0"},
		{"routing unknown node", doc{workload: "  workload: {kind: ledger, duration: 60s, routing: n4}\n"}, "spec.workload.routing", "primary, any or a node name"},
		{"bank total below accounts", doc{workload: "  workload: {kind: bank, duration: 60s, accounts: 3, total: 2}\n"}, "spec.workload.total", "account (3)"},
		{"providerOptions on replication", doc{target: "  target:\n    local: {topology: replication, nodes: 3, providerOptions: {a: b}}\n"}, "spec.target.local.providerOptions", "Galera settings"},
		{"field of another kind", doc{workload: "  workload: {kind: ledger, duration: 60s, accounts: 5}\n"}, "spec.workload.accounts", "does not apply to ledger"},
		{"opTimeout zero", doc{workload: "  workload: {kind: ledger, duration: 60s, opTimeout: 0s}\n"}, "spec.workload.opTimeout", "> 0"},
		// steps: shape of a step
		{"no fault", doc{faults: step("name: x")}, "spec.faults[0]", "no fault"},
		{"two faults", doc{faults: step("kill: {}", "pause: {}")}, "spec.faults[0].pause", "exactly one per step"},
		{"at negative", doc{faults: "    - at: -1s\n      kill: {}\n"}, "spec.faults[0].at", "≥ 0"},
		{"for zero", doc{faults: "    - at: 1s\n      for: 0s\n      kill: {}\n"}, "spec.faults[0].for", "> 0"},
		{"heal after end", doc{faults: "    - at: 50s\n      for: 20s\n      kill: {}\n"}, "spec.faults[0].for", "healed before the workload ends"},
		{"at after end", doc{faults: "    - at: 60s\n      kill: {}\n"}, "spec.faults[0].at", "before the workload ends"},
		{"duplicate names", doc{faults: "    - {name: a, at: 1s, for: 1s, kill: {}}\n    - {name: a, at: 5s, for: 1s, kill: {}}\n"}, "spec.faults[1].name", "unique"},
		// selectors
		{"unknown node", doc{faults: step("select: {nodes: [n4]}", "kill: {}")}, "spec.faults[0].select.nodes[0]", "unknown node"},
		{"node twice", doc{faults: step("select: {nodes: [n1, n1]}", "kill: {}")}, "spec.faults[0].select.nodes[1]", "twice"},
		{"unknown zone", doc{faults: step("select: {zone: d}", "kill: {}")}, "spec.faults[0].select.zone", "unknown zone"},
		{"unknown role", doc{faults: step("select: {role: leader}", "kill: {}")}, "spec.faults[0].select.role", "unknown role"},
		{"primary on galera", doc{faults: step("select: {role: primary}", "kill: {}")}, "spec.faults[0].select.role", "galera"},
		{"two selections", doc{faults: step("select: {zone: a, role: minority}", "kill: {}")}, "spec.faults[0].select", "at most one"},
		{"random zero", doc{faults: step("select: {random: 0}", "kill: {}")}, "spec.faults[0].select.random", "at least 1"},
		{"random too many", doc{faults: step("select: {role: minority, random: 2}", "kill: {}")}, "spec.faults[0].select.random", "at most 1"},
		{"minority of two", doc{target: "  target:\n    local: {topology: galera, nodes: 2}\n", faults: step("select: {role: minority}", "kill: {}")}, "spec.faults[0].select.role", "empty"},
		// fault parameters
		{"latency delay", doc{faults: step("select: {nodes: [n1]}", "latency: {delay: 0s}")}, "spec.faults[0].latency.delay", "> 0"},
		{"latency loss", doc{faults: step("select: {nodes: [n1]}", "latency: {delay: 10ms, loss: 101}")}, "spec.faults[0].latency.loss", "0..100"},
		{"latency jitter", doc{faults: step("select: {nodes: [n1]}", "latency: {delay: 10ms, jitter: 20ms}")}, "spec.faults[0].latency.jitter", "jitter ≤ delay"},
		{"bandwidth rate", doc{faults: step("select: {nodes: [n1]}", "bandwidth: {rate: 0}")}, "spec.faults[0].bandwidth.rate", "> 0"},
		{"bandwidth direction", doc{faults: step("select: {nodes: [n1]}", "bandwidth: {rate: 1MiB, direction: up}")}, "spec.faults[0].bandwidth.direction", "in, out, both"},
		{"clock zero", doc{faults: step("select: {nodes: [n1]}", "clockSkew: {offset: 0s}")}, "spec.faults[0].clockSkew.offset", "non-zero"},
		{"clock without faketime", doc{target: "  target:\n    local: {topology: galera, nodes: 3, faketime: false}\n", faults: step("select: {nodes: [n1]}", "clockSkew: {offset: 1h}")}, "spec.faults[0].clockSkew", "faketime: true"},
		{"drift too fast", doc{faults: step("select: {nodes: [n1]}", "clockSkew: {drift: 100001ppm}")}, "spec.faults[0].clockSkew.drift", "≤ 100000ppm"},
		{"drift too slow", doc{faults: step("select: {nodes: [n1]}", "clockSkew: {drift: -1000000ppm}")}, "spec.faults[0].clockSkew.drift", "≤ 100000ppm"},
		{"drift without unit", doc{faults: step("select: {nodes: [n1]}", "clockSkew: {offset: 1s, drift: 5000}")}, "spec.faults[0].clockSkew.drift", "not a drift rate"},
		{"drift wrong unit", doc{faults: step("select: {nodes: [n1]}", "clockSkew: {offset: 1s, drift: 5000ppb}")}, "spec.faults[0].clockSkew.drift", "like 5000ppm"},
		{"drift and offset zero", doc{faults: step("select: {nodes: [n1]}", "clockSkew: {offset: 0s, drift: 0ppm}")}, "spec.faults[0].clockSkew.offset", "or a drift"},
		{"throttle no limit", doc{faults: step("select: {nodes: [n1]}", "diskThrottle: {}")}, "spec.faults[0].diskThrottle", "at least one of"},
		{"diskFault without FUSE", doc{faults: step("select: {nodes: [n1]}", "diskFault: {delay: 5ms}")}, "spec.faults[0].diskFault", "diskFaults: true"},
		{"diskFault op", doc{target: "  target:\n    local: {topology: galera, nodes: 3, diskFaults: true}\n", faults: step("select: {nodes: [n1]}", "diskFault: {delay: 5ms, ops: [write, unlink]}")}, "spec.faults[0].diskFault.ops[1]", "read, write, fsync, open"},
		{"diskFault errorRate", doc{target: "  target:\n    local: {topology: galera, nodes: 3, diskFaults: true}\n", faults: step("select: {nodes: [n1]}", "diskFault: {errorRate: 120}")}, "spec.faults[0].diskFault.errorRate", "0..100"},
		{"diskFault no effect", doc{target: "  target:\n    local: {topology: galera, nodes: 3, diskFaults: true}\n", faults: step("select: {nodes: [n1]}", "diskFault: {ops: [fsync]}")}, "spec.faults[0].diskFault", "no effect"},
		{"partition shape unknown", doc{faults: step("partition: {shape: triangle}")}, "spec.faults[0].partition.shape", "unknown shape"},
		{"partition shape missing", doc{faults: step("partition: {}")}, "spec.faults[0].partition.shape", "missing shape"},
		{"isolate needs select", doc{faults: step("partition: {shape: isolate}")}, "spec.faults[0].select", "needs the nodes"},
		{"halves takes no select", doc{faults: step("select: {nodes: [n1]}", "partition: {shape: halves}")}, "spec.faults[0].select", "no select"},
		{"groups with other shape", doc{faults: step("partition: {shape: halves, groups: [[n1], [n2, n3]]}")}, "spec.faults[0].partition.groups", "only with shape: groups"},
		{"groups unknown node", doc{faults: step("partition: {shape: groups, groups: [[n1], [n2, n3, n5]]}")}, "spec.faults[0].partition.groups[1][2]", "unknown node"},
		{"groups node twice", doc{faults: step("partition: {shape: groups, groups: [[n1, n2], [n2, n3]]}")}, "spec.faults[0].partition.groups[1][0]", "one group"},
		{"groups one group", doc{faults: step("partition: {shape: groups, groups: [[n1, n2, n3]]}")}, "spec.faults[0].partition.groups", "at least 2 groups"},
		{"ring needs 4 nodes", doc{target: "  target:\n    local: {topology: galera, nodes: 3}\n", faults: step("partition: {shape: majorities-ring}")}, "spec.faults[0].partition.shape", "at least 4 nodes, target has 3"},
		{"partition of one node", doc{target: "  target:\n    local: {topology: galera, nodes: 1}\n", faults: step("partition: {shape: halves}")}, "spec.faults[0].partition", "at least 2 nodes"},
		{"promote on galera", doc{faults: "    - at: 10s\n      select: {nodes: [n2]}\n      promote: {}\n"}, "spec.faults[0].promote", "replication topology"},
		{"promote two nodes", doc{target: replTarget, faults: "    - at: 10s\n      select: {nodes: [n2, n3]}\n      promote: {}\n"}, "spec.faults[0].select", "exactly one node"},
		{"promote with for", doc{target: replTarget, faults: step("select: {nodes: [n2]}", "promote: {}")}, "spec.faults[0].for", "cannot be healed"},
		{"azDrain unknown zone", doc{faults: step("azDrain: {zone: z}")}, "spec.faults[0].azDrain.zone", "unknown zone"},
		{"azDrain with select", doc{faults: step("select: {nodes: [n1]}", "azDrain: {zone: a}")}, "spec.faults[0].select", "no select"},
		// conflicts
		{"overlapping partitions", doc{faults: step("select: {nodes: [n1]}", "partition: {shape: isolate}") + "    - at: 15s\n      for: 10s\n      select: {nodes: [n1]}\n      latency: {delay: 10ms}\n"}, "spec.faults[1]", "step-2 overlaps step-1"},
		{"open-ended step overlaps", doc{faults: "    - {at: 5s, select: {nodes: [n1]}, kill: {}}\n    - {at: 40s, for: 5s, select: {nodes: [n1]}, pause: {}}\n"}, "spec.faults[1]", "process faults"},
		{"role may touch any node", doc{faults: step("select: {role: minority}", "pause: {}") + "    - at: 12s\n      for: 2s\n      select: {nodes: [n3]}\n      kill: {}\n"}, "spec.faults[1]", "overlaps step-1"},
		{"zone drain overlaps kill", doc{faults: step("azDrain: {zone: a}") + "    - at: 12s\n      for: 2s\n      select: {nodes: [n1]}\n      kill: {}\n"}, "spec.faults[1]", "n1"},
		{"promote while the node is paused", doc{target: replTarget, faults: step("select: {nodes: [n2]}", "pause: {}") + "    - {name: up, at: 15s, select: {nodes: [n2]}, promote: {}}\n"}, "spec.faults[1]", `step-2 "up" overlaps step-1`},
		{"azDrain without zone", doc{faults: step("azDrain: {}")}, "spec.faults[0].azDrain.zone", "missing zone"},
		// verify and abort
		{"check unknown", doc{verify: "    checks: [lost-writes, linearisable]\n"}, "spec.verify.checks[1]", `did you mean "linearizable"`},
		{"check not for workload", doc{verify: "    checks: [bank]\n"}, "spec.verify.checks[0]", "does not apply to ledger"},
		{"check twice", doc{verify: "    checks: [rpo, rpo]\n"}, "spec.verify.checks[1]", "twice"},
		{"model unknown", doc{workload: "  workload: {kind: list-append, duration: 60s}\n", verify: "    model: linearizable\n"}, "spec.verify.model", "unknown model"},
		{"model on ledger", doc{verify: "    model: serializable\n"}, "spec.verify.model", "applies to list-append"},
		{"rpo negative", doc{verify: "    rpo: -1s\n"}, "spec.verify.rpo", "≥ 0"},
		{"rto without check", doc{verify: "    checks: [lost-writes]\n    rto: 5s\n"}, "spec.verify.rto", "rto in verify.checks"},
		{"timestampOrder negative", doc{verify: "    timestampOrder: -1\n"}, "spec.verify.timestampOrder", "≥ 0"},
		{"timestampOrder not a number", doc{verify: "    timestampOrder: none\n"}, "spec.verify.timestampOrder", "an integer"},
		{"timestampOrder on bank", doc{workload: "  workload: {kind: bank, duration: 60s}\n", verify: "    timestampOrder: 0\n"}, "spec.verify.timestampOrder", "does not apply to bank"},
		{"timestampOrder without check", doc{verify: "    checks: [lost-writes]\n    timestampOrder: 0\n"}, "spec.verify.timestampOrder", "timestamp-order in verify.checks"},
		{"convergence zero", doc{verify: "    convergence: 0s\n"}, "spec.verify.convergence", "> 0"},
		{"abort rate", doc{abort: "    errorRate: 1.5\n    for: 5s\n"}, "spec.abort.errorRate", "(0, 1]"},
		{"abort for", doc{abort: "    errorRate: 0.5\n"}, "spec.abort.for", "> 0"},
	})
}

// TestValidScenarios: variants that must load.
func TestValidScenarios(t *testing.T) {
	for name, d := range map[string]doc{
		"minimal":                     {},
		"replication promote":         {target: replTarget, faults: "    - at: 10s\n      select: {nodes: [n2]}\n      promote: {}\n"},
		"promote random 1":            {target: replTarget, faults: "    - at: 10s\n      select: {role: replicas, random: 1}\n      promote: {}\n"},
		"kubernetes podKill":          {target: kubeTarget, faults: step("select: {zone: eu-1a}", "podKill: {}")},
		"kubernetes node name":        {target: kubeTarget, faults: step("select: {nodes: [mariadb-0]}", "kill: {}")},
		"disjoint nodes":              {faults: step("select: {nodes: [n1]}", "partition: {shape: isolate}") + step("select: {nodes: [n2]}", "latency: {delay: 10ms}")},
		"different families":          {faults: step("select: {nodes: [n1]}", "partition: {shape: isolate}") + step("select: {nodes: [n1]}", "clockSkew: {offset: -30s}")},
		"back to back":                {faults: step("select: {nodes: [n1]}", "kill: {}") + "    - {at: 20s, for: 5s, select: {nodes: [n1]}, pause: {}}\n"},
		"groups":                      {faults: step("partition: {shape: groups, groups: [[n1], [n2, n3]]}")},
		"majority-minority with role": {faults: step("select: {role: minority}", "partition: {shape: majority-minority}")},
		"custom zones":                {target: "  target:\n    local: {topology: galera, nodes: 3, zones: [x, x, y], subnet: 198.19.200.0/24}\n", faults: step("azDrain: {zone: y}")},
		"disk fault":                  {target: "  target:\n    local: {topology: galera, nodes: 3, diskFaults: true}\n", faults: step("select: {nodes: [n1]}", "diskFault: {delay: 5ms, errorRate: 1, ops: [fsync], path: ib_logfile}")},
		"list-append model":           {workload: "  workload: {kind: list-append, duration: 60s, keys: 3, minTxnLength: 2}\n", verify: "    model: strict-serializable\n    checks: [isolation, split-brain]\n"},
		"open loop":                   {workload: "  workload: {kind: ledger, duration: 60s, rate: 30/m, openLoop: true, routing: n2}\n"},
		"abort":                       {abort: "    errorRate: 0.5\n    for: 5s\n"},
		"kill with null":              {faults: "    - at: 10s\n      for: 5s\n      kill:\n"},
	} {
		t.Run(name, func(t *testing.T) {
			if errs := errorsOf(t, d.String()); errs != nil {
				t.Errorf("want no errors, got:\n%v\n--- document:\n%s", errs, d)
			}
		})
	}
}

func TestNullFaultIsAFaultMissingItsFields(t *testing.T) {
	errs := errorsOf(t, doc{faults: "    - at: 10s\n      for: 5s\n      partition:\n"}.String())
	if len(errs) != 1 || errs[0].Path != "spec.faults[0].partition.shape" {
		t.Errorf("got %v, want one error: missing shape", errs)
	}
}

func TestWindowOverlaps(t *testing.T) {
	r := func(a, b Duration) window { return window{start: a, end: b} }
	i := func(a Duration) window { return window{start: a, end: a, instant: true} }
	for _, c := range []struct {
		a, b window
		want bool
	}{
		{r(0, 10), r(5, 15), true},
		{r(0, 10), r(10, 20), false}, // back to back
		{i(5), r(0, 10), true},
		{r(0, 10), i(10), false}, // healed as the instant fires
		{i(3), i(3), true},
		{i(3), i(4), false},
	} {
		if got := c.a.overlaps(c.b); got != c.want || c.b.overlaps(c.a) != c.want {
			t.Errorf("%+v overlaps %+v = %v, want %v (both ways)", c.a, c.b, got, c.want)
		}
	}
}
