package scenarios

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Server options (spec.target.local.serverOptions and nodeOptions) are my.cnf
// [mysqld] keys written over the lab's own (targets/local mycnf.go). What
// mariadbd refuses at start, or what would break the lab, is refused here.
// Observed with MariaDB 10.11 (`mariadbd --verbose --help` with the option):
// a numeric value that is not digits with an optional K, M, G, T, P or E
// suffix aborts ("Unknown suffix"), an unknown enum value aborts ("Error
// while setting value"), an unrecognized boolean is read as OFF, and an
// out-of-range number is adjusted with a warning. With wsrep on, a
// binlog_format other than ROW aborts ("Only binlog_format= 'ROW' is
// currently supported", MariaDB sql/wsrep_check_opts.cc).

// DefaultMaxConnections is the lab's max_connections (targets/local mycnf.go).
const DefaultMaxConnections = 64

// HarnessConnections is how many connections faultline itself may hold on
// one node while the workload runs: two for its prober and one for the
// lab's admin actions. A replication primary also serves one connection
// per replica (its binlog dump threads).
const HarnessConnections = 3

// maxConnectionsRange is MariaDB's range for max_connections.
var maxConnectionsRange = [2]int64{10, 100000}

// labServerOptions are the keys the lab sets itself, with why (and what to
// use instead).
var labServerOptions = map[string]string{
	"port": "the harness connects to 3306 on each node's lab address", "bind_address": "each node listens on its lab address",
	"socket": "the lab owns each node's files", "datadir": "the lab owns each node's files", "pid_file": "the lab owns each node's files",
	"log_error": "the lab owns each node's files", "init_file": "the lab creates its users from it", "user": "mariadbd runs as mysql",
	"server_id": "each node has its own", "report_host": "each node reports its lab address", "skip_networking": "the harness connects over TCP",
	"wsrep_on": "the topology decides it", "wsrep_provider": "the lab loads Galera 4", "wsrep_cluster_name": "the lab names its cluster",
	"wsrep_cluster_address": "the lab lists its nodes", "wsrep_node_address": "each node has its lab address", "wsrep_node_name": "nodes are n1..nN",
	"wsrep_sst_receive_address": "each node receives SST on its lab address", "wsrep_sst_method": "the lab's nodes transfer state with rsync as user mysql",
	"wsrep_provider_options": "use providerOptions", "log_bin": "replication and promotion need the binary log", "relay_log": "the lab names relay logs",
	"read_only":                    "the lab makes exactly the primary writable",
	"rpl_semi_sync_master_enabled": "use semiSync", "rpl_semi_sync_slave_enabled": "use semiSync", "rpl_semi_sync_master_timeout": "use semiSyncTimeout",
}

// numericServerOptions are the lab's numeric keys: digits and a suffix.
var numericServerOptions = []string{"max_connections", "innodb_buffer_pool_size", "innodb_log_file_size", "innodb_log_buffer_size",
	"key_buffer_size", "aria_pagecache_buffer_size", "table_open_cache", "table_definition_cache", "thread_cache_size",
	"innodb_flush_log_at_trx_commit", "innodb_autoinc_lock_mode", "sync_binlog", "slave_net_timeout", "gtid_domain_id"}

// booleanServerOptions are the lab's boolean keys.
var booleanServerOptions = []string{"performance_schema", "log_slave_updates", "gtid_strict_mode"}

var (
	optionName   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	mariaNumber  = regexp.MustCompile(`^-?\d+[KMGTPEkmgtpe]?$`)
	mariaBoolean = []string{"on", "off", "true", "false", "1", "0"}
)

// serverOptions checks the cluster-wide and per-node my.cnf keys.
func (v *validator) serverOptions(p string, l *LocalTarget) {
	v.optionSet(join(p, "serverOptions"), l.ServerOptions, l.Topology)
	for _, node := range slices.Sorted(maps.Keys(l.NodeOptions)) {
		v.optionSet(join(join(p, "nodeOptions"), node), l.NodeOptions[node], l.Topology)
	}
}

func (v *validator) optionSet(p string, opts map[string]string, topology string) {
	for _, key := range slices.Sorted(maps.Keys(opts)) {
		v.serverOption(join(p, key), key, opts[key], topology)
	}
}

func (v *validator) serverOption(kp, key, val, topology string) {
	k := optionKey(key)
	why, lab := labServerOptions[k]
	switch {
	case !optionName.MatchString(key):
		v.errorf(kp, "option name %q; expected a mariadbd option like max_connections or innodb-buffer-pool-size", key)
	case strings.ContainsAny(val, "\n\r"):
		v.errorf(kp, "value of %s holds a newline; expected a one-line value", key)
	case lab:
		v.errorf(kp, "faultline sets %s itself (%s); expected it left out", key, why)
	case slices.Contains(numericServerOptions, k) && !mariaNumber.MatchString(val):
		v.errorf(kp, "%s %q is not a number (mariadbd refuses to start); expected digits with an optional K, M or G suffix, like 64 or 32M", key, val)
	case slices.Contains(booleanServerOptions, k) && !slices.Contains(mariaBoolean, strings.ToLower(val)):
		v.errorf(kp, "%s %q is not a boolean (mariadbd would read it as OFF); expected ON or OFF", key, val)
	case k == "binlog_format":
		v.binlogFormat(kp, val, topology)
	case k == "max_connections":
		if n, _ := mariaInt(val); n < maxConnectionsRange[0] || n > maxConnectionsRange[1] {
			v.errorf(kp, "max_connections %s is outside MariaDB's range (mariadbd would adjust it); expected %d..%d", val, maxConnectionsRange[0], maxConnectionsRange[1])
		}
	}
}

func (v *validator) binlogFormat(kp, val, topology string) {
	f := strings.ToUpper(val)
	switch {
	case !slices.Contains([]string{"ROW", "STATEMENT", "MIXED"}, f):
		v.errorf(kp, "binlog_format %q (mariadbd refuses to start); expected ROW, STATEMENT or MIXED", val)
	case topology == TopologyGalera && f != "ROW":
		v.errorf(kp, "binlog_format %s on galera (mariadbd with wsrep refuses to start: only ROW is supported); expected ROW", val)
	}
}

// mariaInt parses a number as mariadbd does: digits and a binary suffix.
func mariaInt(s string) (int64, bool) {
	if !mariaNumber.MatchString(s) {
		return 0, false
	}
	mult := int64(1)
	if i := strings.IndexByte("KMGTPE", s[len(s)-1]&^0x20); i >= 0 {
		mult, s = 1<<(10*(i+1)), s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return math.MaxInt64, true
	}
	return n * mult, true
}

func optionKey(k string) string { return strings.ReplaceAll(strings.ToLower(k), "-", "_") }

// maxConnections is node's effective max_connections: the lab's, then
// serverOptions, then its nodeOptions.
func maxConnections(l *LocalTarget, node string) int64 {
	n := int64(DefaultMaxConnections)
	for _, opts := range []map[string]string{l.ServerOptions, l.NodeOptions[node]} {
		for k, val := range opts {
			if optionKey(k) == "max_connections" {
				if x, ok := mariaInt(val); ok {
					n = x
				}
			}
		}
	}
	return n
}

// connections checks that the workload's clients fit the connection limit
// of every node they may all end up on: the routed node, else any node (a
// fault moves the clients of the nodes it cuts to the others).
func (v *validator) connections(l *LocalTarget, w *Workload) {
	clients := w.Clients
	if clients == 0 {
		clients = DefaultClients
	}
	need := int64(clients + HarnessConnections)
	extra := ""
	if l.Topology == TopologyReplication && l.Nodes > 1 {
		need += int64(l.Nodes - 1)
		extra = fmt.Sprintf(" and %d replica connections on the primary", l.Nodes-1)
	}
	nodes := v.scope.nodes
	if v.scope.isNode(w.Routing) && w.Routing != "" {
		nodes = []string{w.Routing}
	}
	for _, node := range nodes {
		if max := maxConnections(l, node); need > max {
			v.errorf("spec.workload.clients", "%d clients, faultline's own %d connections (prober, lab admin)%s need %d connections on one node, but max_connections on %s is %d; expected at most %d clients or max_connections ≥ %d",
				clients, HarnessConnections, extra, need, node, max, max-(need-int64(clients)), need)
			return
		}
	}
}
