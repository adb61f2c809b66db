package local

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"faultline.dev/faultline/internal/galera"
	"faultline.dev/faultline/targets"
)

// galeraProvider is the provider this machine has; Debian's path when it
// has none (CheckHost refuses such a machine first).
func galeraProvider() string {
	if p := galera.Provider(); p != "" {
		return p
	}
	return galera.Providers[0]
}

// nodeSpec is what a node's configuration files are rendered from.
type nodeSpec struct {
	Index    int
	Name     string
	Addr     string
	Peers    []string // every node's address (Galera cluster address)
	Password string
	cfg      Config
	n        names
}

// serverUserName is the user mariadbd runs as (started as it, see
// proc.command) and owns every node's files.
const serverUserName = "mysql"

// small-memory settings that keep five nodes well under 600 MB.
var baseOptions = map[string]string{
	"user":                           serverUserName,
	"port":                           strconv.Itoa(sqlPort),
	"innodb_buffer_pool_size":        "32M",
	"innodb_log_file_size":           "16M",
	"innodb_log_buffer_size":         "4M",
	"performance_schema":             "OFF",
	"max_connections":                "64",
	"skip-name-resolve":              "",
	"key_buffer_size":                "4M",
	"aria_pagecache_buffer_size":     "8M",
	"table_open_cache":               "256",
	"table_definition_cache":         "400",
	"thread_cache_size":              "8",
	"innodb_flush_log_at_trx_commit": "1",
}

// options renders the [mysqld] keys of one node: ours, then the cluster-wide
// overrides, then the node's own.
func (s nodeSpec) options() map[string]string {
	o := maps.Clone(baseOptions)
	o["datadir"] = s.n.serverDataDir(s.Name, s.cfg.DiskFaults)
	if s.cfg.DiskFaults {
		o["innodb_flush_method"] = "fsync" // no O_DIRECT: every write and fsync reaches the layer
	}
	o["socket"] = s.n.socket(s.Name)
	o["pid-file"] = s.n.pidFile(s.Name)
	o["log-error"] = s.n.errLog(s.Name)
	o["init_file"] = s.n.initSQL(s.Name)
	o["bind-address"] = s.Addr
	o["server_id"] = strconv.Itoa(s.Index + 1)
	o["report_host"] = s.Addr
	switch s.cfg.Topology {
	case Galera:
		maps.Copy(o, s.galeraOptions())
	case Replication:
		maps.Copy(o, s.replicationOptions())
	}
	merge(o, s.cfg.ServerOptions)
	merge(o, s.cfg.NodeOptions[s.Name])
	return o
}

func (s nodeSpec) galeraOptions() map[string]string {
	return map[string]string{
		"binlog_format":             "ROW",
		"innodb_autoinc_lock_mode":  "2",
		"wsrep_on":                  "ON",
		"wsrep_provider":            galeraProvider(),
		"wsrep_cluster_name":        "fl-" + s.cfg.Name,
		"wsrep_cluster_address":     "gcomm://" + strings.Join(s.Peers, ","),
		"wsrep_node_address":        s.Addr,
		"wsrep_node_name":           s.Name,
		"wsrep_sst_method":          "rsync",
		"wsrep_sst_receive_address": fmt.Sprintf("%s:%d", s.Addr, sstPort),
		"wsrep_provider_options":    `"` + s.providerOptions() + `"`,
	}
}

// providerOptions is wsrep_provider_options: listeners on the node's address
// only, a small gcache, then the caller's options (EVS timeouts, …).
func (s nodeSpec) providerOptions() string {
	o := map[string]string{
		"gcache.size":        "32M",
		"gmcast.listen_addr": fmt.Sprintf("tcp://%s:%d", s.Addr, galeraPort),
		"ist.recv_addr":      fmt.Sprintf("%s:%d", s.Addr, istPort),
		"pc.recovery":        "true",
	}
	maps.Copy(o, s.cfg.ProviderOptions)
	parts := make([]string, 0, len(o))
	for _, k := range slices.Sorted(maps.Keys(o)) {
		parts = append(parts, k+"="+o[k])
	}
	return strings.Join(parts, ";")
}

func (s nodeSpec) replicationOptions() map[string]string {
	o := map[string]string{
		"log_bin":          "mysql-bin",
		"relay_log":        "relay-bin",
		"binlog_format":    "ROW",
		"gtid_domain_id":   "0",
		"sync_binlog":      "1",
		"expire_logs_days": "1",
		// every node starts read-only; the lab makes the primary writable.
		"read_only":         "ON",
		"log_slave_updates": "ON",
		"gtid_strict_mode":  "ON",
		"slave_net_timeout": "4",
	}
	sync := "OFF"
	if s.cfg.SemiSync {
		sync = "ON"
	}
	o["rpl_semi_sync_master_enabled"] = sync
	o["rpl_semi_sync_slave_enabled"] = sync
	o["rpl_semi_sync_master_wait_point"] = "AFTER_SYNC"
	o["rpl_semi_sync_master_timeout"] = strconv.FormatInt(s.cfg.SemiSyncTimeout.Milliseconds(), 10)
	return o
}

// merge copies overrides into o; keys match whether spelled with - or _.
func merge(o, overrides map[string]string) {
	for k, v := range overrides {
		for existing := range o {
			if optionKey(existing) == optionKey(k) {
				delete(o, existing)
			}
		}
		o[k] = v
	}
}

func optionKey(k string) string { return strings.ReplaceAll(strings.ToLower(k), "-", "_") }

// renderCnf renders a my.cnf with one [mysqld] section, keys sorted.
func renderCnf(o map[string]string) string {
	var b strings.Builder
	b.WriteString("# written by faultline; the lab owns this file\n[mysqld]\n")
	for _, k := range slices.Sorted(maps.Keys(o)) {
		if o[k] == "" {
			b.WriteString(k + "\n")
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", k, o[k])
	}
	return b.String()
}

// Users the lab creates.
const (
	workloadUser = "faultline" // everything but READ_ONLY ADMIN: read_only applies to it
	adminUser    = "root"
	replUser     = "repl"
)

// initSQL creates the lab's users on every start, locally: not replicated and
// not binlogged, so every node starts from the same state.
func initSQL(topology, password string) string {
	pw := sqlString(password)
	lines := []string{"SET SESSION sql_log_bin=0;"}
	if topology == Galera {
		lines = append(lines, "SET SESSION wsrep_on=OFF;")
	}
	lines = append(lines,
		"CREATE USER IF NOT EXISTS 'faultline'@'%' IDENTIFIED BY "+pw+";",
		"GRANT ALL PRIVILEGES ON *.* TO 'faultline'@'%';",
		"REVOKE READ_ONLY ADMIN ON *.* FROM 'faultline'@'%';",
		"CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY "+pw+";",
		"GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
		"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY "+pw+";",
		"GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';",
		"ALTER USER 'root'@'localhost' IDENTIFIED BY "+pw+";",
	)
	return strings.Join(lines, "\n") + "\n"
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return targets.SQLString(s) }

// grastate is Galera's saved state: every node of a new lab starts from the
// same history uuid and seqno, so no node needs a state transfer.
func grastate(uuid string, seqno int64, safeToBootstrap bool) string {
	safe := 0
	if safeToBootstrap {
		safe = 1
	}
	return fmt.Sprintf("# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   %d\nsafe_to_bootstrap: %d\n",
		uuid, seqno, safe)
}

// gvwstate is a saved primary component holding every node: with
// pc.recovery=true the nodes re-form it together as soon as all of them are
// up, with no bootstrap node and no state transfer.
func gvwstate(self string, members []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "my_uuid: %s\n#vwbeg\nview_id: 3 %s 1\nbootstrap: 0\n", self, members[0])
	for _, m := range members {
		fmt.Fprintf(&b, "member: %s 0\n", m)
	}
	b.WriteString("#vwend\n")
	return b.String()
}
