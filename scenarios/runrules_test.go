package scenarios

import (
	"testing"
	"time"
)

// galera5 is a 5-node galera target; n5Target any node count.
const galera5 = "  target:\n    local: {topology: galera, nodes: 5}\n"

// galeraOpts is a 3-node galera target with provider options (a YAML flow mapping body).
func galeraOpts(opts string) string {
	return "  target:\n    local:\n      topology: galera\n      nodes: 3\n      providerOptions: {" + opts + "}\n"
}

func nodesTarget(topology string, n int) string {
	return "  target:\n    local: {topology: " + topology + ", nodes: " + itoa(n) + "}\n"
}

// TestRunRules: rules that a run would otherwise hit only when a step fires
// or the lab starts, each refused at validate time with its position.
func TestRunRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// partition shapes against node counts and selections (the planner's rules)
		{"majorities-ring on 3 nodes", doc{faults: step("partition: {shape: majorities-ring}")}, "spec.faults[0].partition.shape", "shape majorities-ring needs at least 4 nodes, target has 3"},
		{"majority-minority on 2 nodes", doc{target: nodesTarget("galera", 2), faults: step("partition: {shape: majority-minority}")}, "spec.faults[0].partition.shape", "needs at least 3 nodes, target has 2"},
		{"majority-minority selects a majority", doc{target: galera5, faults: step("select: {role: majority}", "partition: {shape: majority-minority}")}, "spec.faults[0].select", "3 of 5 nodes"},
		{"majority-minority selects half", doc{target: nodesTarget("galera", 4), faults: step("select: {nodes: [n1, n2]}", "partition: {shape: majority-minority}")}, "spec.faults[0].select", "expected at most 1 nodes"},
		{"majority-minority replicas", doc{target: replTarget, faults: step("select: {role: replicas}", "partition: {shape: majority-minority}")}, "spec.faults[0].select", "fewer than half"},
		{"one-way selects every node", doc{faults: step("select: {nodes: [n1, n2, n3]}", "partition: {shape: one-way}")}, "spec.faults[0].select", "may resolve to all 3 nodes"},
		{"one-way random 2 of 2", doc{target: nodesTarget("galera", 2), faults: step("select: {random: 2}", "partition: {shape: one-way}")}, "spec.faults[0].select", "leaves at least one node"},
		{"one-way zone holding every node", doc{target: "  target:\n    local: {topology: galera, nodes: 2, zones: [a, a]}\n", faults: step("select: {zone: a}", "partition: {shape: one-way}")}, "spec.faults[0].select", "all 2 nodes"},
		{"groups leave a node out", doc{faults: step("partition: {shape: groups, groups: [[n1], [n2]]}")}, "spec.faults[0].partition.groups", "n3 in no group"},
		// Galera provider options the provider refuses at start
		{"README suspect_timeout alone", doc{target: galeraOpts("evs.suspect_timeout: PT2S")}, "spec.target.local.providerOptions.evs.suspect_timeout",
			"evs.keepalive_period PT1S (Galera's default) must be at most evs.suspect_timeout/3 = PT0.666666666S"},
		{"keepalive above suspect/3", doc{target: galeraOpts("evs.keepalive_period: PT2S")}, "spec.target.local.providerOptions.evs.keepalive_period", "evs.suspect_timeout/3 (Galera's default) = PT1.666666666S"},
		{"inactive_check_period above suspect/2", doc{target: galeraOpts("evs.suspect_timeout: PT1S, evs.keepalive_period: PT0.3S, evs.inactive_check_period: PT0.6S")}, "spec.target.local.providerOptions.evs.inactive_check_period", "at most evs.suspect_timeout/2 = PT0.5S"},
		{"install_timeout default below keepalive", doc{target: galeraOpts("evs.inactive_timeout: PT1S")}, "spec.target.local.providerOptions.evs.inactive_timeout", "evs.install_timeout PT0.5S (Galera's default, evs.inactive_timeout/2) must be at least evs.keepalive_period"},
		{"install_timeout above inactive", doc{target: galeraOpts("evs.install_timeout: PT20S")}, "spec.target.local.providerOptions.evs.install_timeout", "at most evs.inactive_timeout (Galera's default) = PT15S"},
		{"suspect_timeout below minimum", doc{target: galeraOpts("evs.suspect_timeout: PT0.05S, evs.keepalive_period: PT0.1S, evs.inactive_check_period: PT0.01S")}, "spec.target.local.providerOptions.evs.suspect_timeout", "expected at least PT0.1S"},
		{"period syntax", doc{target: galeraOpts("evs.suspect_timeout: 2s")}, "spec.target.local.providerOptions.evs.suspect_timeout", "ISO 8601 duration like PT2S"},
		{"boolean syntax", doc{target: galeraOpts("pc.ignore_quorum: maybe")}, "spec.target.local.providerOptions.pc.ignore_quorum", "not a Galera boolean"},
		{"pc.weight range", doc{target: galeraOpts("pc.weight: 300")}, "spec.target.local.providerOptions.pc.weight", "expected 0..254"},
		{"fc_factor range", doc{target: galeraOpts("gcs.fc_factor: 1.5")}, "spec.target.local.providerOptions.gcs.fc_factor", "expected 0..1"},
		{"user_send_window above send_window", doc{target: galeraOpts("evs.user_send_window: 8")}, "spec.target.local.providerOptions.evs.user_send_window", "at most evs.send_window 4"},
		{"unknown evs key", doc{target: galeraOpts("evs.suspect_timout: PT5S")}, "spec.target.local.providerOptions.evs.suspect_timout", `did you mean "evs.suspect_timeout"`},
		{"unknown group", doc{target: galeraOpts("gcomms.thread_prio: x")}, "spec.target.local.providerOptions.gcomms.thread_prio", "unknown Galera parameter"},
		{"lab-owned listen address", doc{target: galeraOpts("gmcast.listen_addr: tcp://0.0.0.0:4567")}, "spec.target.local.providerOptions.gmcast.listen_addr", "faultline sets gmcast.listen_addr itself"},
		{"pc.recovery off", doc{target: galeraOpts(`pc.recovery: "false"`)}, "spec.target.local.providerOptions.pc.recovery", "saved primary component"},
		{"separator in value", doc{target: galeraOpts(`gcache.size: "32M;evs.x=1"`)}, "spec.target.local.providerOptions.gcache.size", "would break wsrep_provider_options"},
		// server options mariadbd or the lab refuses
		{"binlog_format STATEMENT on galera", doc{target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      serverOptions: {binlog_format: STATEMENT}\n"}, "spec.target.local.serverOptions.binlog_format", "only ROW is supported"},
		{"binlog_format unknown", doc{target: "  target:\n    local:\n      topology: replication\n      nodes: 3\n      serverOptions: {binlog-format: ROWS}\n"}, "spec.target.local.serverOptions.binlog-format", "ROW, STATEMENT or MIXED"},
		{"numeric option not a number", doc{target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      serverOptions: {innodb_buffer_pool_size: lots}\n"}, "spec.target.local.serverOptions.innodb_buffer_pool_size", "not a number (mariadbd refuses to start)"},
		{"boolean option", doc{target: "  target:\n    local:\n      topology: replication\n      nodes: 3\n      serverOptions: {gtid_strict_mode: maybe}\n"}, "spec.target.local.serverOptions.gtid_strict_mode", "read it as OFF"},
		{"lab-owned port", doc{target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      nodeOptions: {n2: {port: \"3307\"}}\n"}, "spec.target.local.nodeOptions.n2.port", "faultline sets port itself"},
		{"semi-sync through serverOptions", doc{target: "  target:\n    local:\n      topology: replication\n      nodes: 3\n      serverOptions: {rpl-semi-sync-master-timeout: \"500\"}\n"}, "spec.target.local.serverOptions.rpl-semi-sync-master-timeout", "use semiSyncTimeout"},
		{"newline in a value", doc{target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      serverOptions: {sql_mode: \"A\\nport=1\"}\n"}, "spec.target.local.serverOptions.sql_mode", "holds a newline"},
		{"max_connections out of range", doc{target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      serverOptions: {max_connections: \"5\"}\n", workload: "  workload: {kind: ledger, duration: 60s, clients: 1}\n"}, "spec.target.local.serverOptions.max_connections", "expected 10..100000"},
		// clients against the connection limit faultline configures
		{"clients over the lab's max_connections", doc{workload: "  workload: {kind: ledger, duration: 60s, clients: 62}\n"}, "spec.workload.clients", "need 65 connections on one node, but max_connections on n1 is 64; expected at most 61 clients"},
		{"clients over a node's max_connections", doc{target: "  target:\n    local:\n      topology: replication\n      nodes: 3\n      nodeOptions: {n3: {max_connections: \"20\"}}\n", workload: "  workload: {kind: ledger, duration: 60s, clients: 16}\n"}, "spec.workload.clients", "and 2 replica connections on the primary need 21 connections on one node, but max_connections on n3 is 20"},
		// workload and durations
		{"ledger with reads", doc{workload: "  workload: {kind: ledger, duration: 60s, readFraction: 0.5}\n"}, "spec.workload.readFraction", "expected 0 or no readFraction"},
		{"abort longer than the workload", doc{abort: "    errorRate: 0.5\n    for: 60s\n"}, "spec.abort.for", "the abort can never fire"},
		// selections the selector cannot resolve when the step fires
		{"majority of 2 nodes", doc{target: nodesTarget("galera", 2), faults: step("select: {role: majority}", "kill: {}")}, "spec.faults[0].select.role", "2 nodes have no minority"},
		// thresholds of checks that do not run for the workload (verify's table)
		{"rpo on bank", doc{workload: "  workload: {kind: bank, duration: 60s}\n", verify: "    rpo: 0s\n"}, "spec.verify.rpo", "rpo check does not apply to bank workloads"},
		{"rpo on register", doc{workload: "  workload: {kind: register, duration: 60s}\n", verify: "    rpo: 0s\n"}, "spec.verify.rpo", "verify runs linearizable, split-brain, rto, convergence"},
		{"lost-writes on bank", doc{workload: "  workload: {kind: bank, duration: 60s}\n", verify: "    checks: [bank, lost-writes]\n"}, "spec.verify.checks[1]", "does not apply to bank"},
	})
}

// TestRunRulesAccept: the neighbours of those rules that must still load.
func TestRunRulesAccept(t *testing.T) {
	for name, d := range map[string]doc{
		"ring on 4 nodes":                 {target: nodesTarget("galera", 4), faults: step("partition: {shape: majorities-ring}")},
		"majority-minority random 2 of 5": {target: galera5, faults: step("select: {random: 2}", "partition: {shape: majority-minority}")},
		"one-way from a minority":         {faults: step("select: {role: minority}", "partition: {shape: one-way}")},
		"groups of every node":            {faults: step("partition: {shape: groups, groups: [[n1], [n2, n3]]}")},
		"coherent EVS timeouts":           {target: galeraOpts("evs.suspect_timeout: PT2S, evs.inactive_timeout: PT4S, evs.inactive_check_period: PT0.5S, evs.keepalive_period: PT0.5S, evs.install_timeout: PT4S")},
		"seconds as a period":             {target: galeraOpts("evs.suspect_timeout: \"3\", evs.keepalive_period: \"1\"")},
		"other Galera groups":             {target: galeraOpts("gcache.size: 64M, pc.ignore_quorum: \"yes\", gcs.fc_limit: 32K, repl.causal_read_timeout: PT10S")},
		"more connections":                {target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      serverOptions: {max-connections: 1K, binlog_format: row}\n", workload: "  workload: {kind: ledger, duration: 60s, clients: 200}\n"},
		"routed to the node with room":    {target: "  target:\n    local:\n      topology: galera\n      nodes: 3\n      nodeOptions: {n1: {max_connections: \"200\"}}\n", workload: "  workload: {kind: ledger, duration: 60s, clients: 100, routing: n1}\n"},
		"ledger readFraction 0":           {workload: "  workload: {kind: ledger, duration: 60s, readFraction: 0}\n"},
	} {
		t.Run(name, func(t *testing.T) {
			if errs := errorsOf(t, d.String()); errs != nil {
				t.Errorf("want no errors, got:\n%v\n--- document:\n%s", errs, d)
			}
		})
	}
}

func TestGaleraPeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT2S": 2 * time.Second, "PT0.5S": 500 * time.Millisecond, "P1D": 24 * time.Hour, "PT1M30S": 90 * time.Second,
		"PT1H": time.Hour, "P1M": 30 * 24 * time.Hour, "2.5": 2500 * time.Millisecond, ".1": 100 * time.Millisecond,
	} {
		if got, ok := parseGaleraPeriod(in); !ok || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2s", "PT-1S", "1.0000000001", "PT2", "T2S"} {
		if got, ok := parseGaleraPeriod(in); ok {
			t.Errorf("%q parsed as %v, want an error", in, got)
		}
	}
}
