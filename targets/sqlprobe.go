package targets

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Topology names, as scenarios and targets spell them.
const (
	galera      = "galera"
	replication = "replication"
)

// ObserveSQL fills p from one connection to a node of topology ("galera"
// or "replication"): what every target's Probe reports, asked over SQL.
func ObserveSQL(ctx context.Context, conn *sql.Conn, topology string, p *Probe) error {
	var wsrepReady bool
	if topology == galera {
		status, err := showStatus(ctx, conn)
		if err != nil {
			return err
		}
		p.Reachable = true
		p.ClusterStatus = status["wsrep_cluster_status"]
		p.ConfID = confID(status["wsrep_cluster_conf_id"])
		p.StateUUID = status["wsrep_cluster_state_uuid"]
		p.LocalState = status["wsrep_local_state_comment"]
		p.ClusterSize, _ = strconv.Atoi(status["wsrep_cluster_size"])
		wsrepReady = status["wsrep_ready"] == "ON"
	}
	var readOnly int
	err := conn.QueryRowContext(ctx, "SELECT @@global.read_only, @@global.gtid_current_pos, @@global.gtid_binlog_pos").
		Scan(&readOnly, &p.GTIDCurrent, &p.GTIDBinlog)
	if err != nil {
		return err
	}
	p.Reachable = true
	p.ReadOnly = readOnly != 0
	if topology == galera {
		p.ReadOnly = p.ReadOnly || !wsrepReady
		return nil
	}
	return slaveStatus(ctx, conn, p)
}

func showStatus(ctx context.Context, conn *sql.Conn) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN "+
		"('wsrep_cluster_status','wsrep_cluster_conf_id','wsrep_cluster_state_uuid',"+
		"'wsrep_local_state_comment','wsrep_cluster_size','wsrep_ready')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[strings.ToLower(k)] = v
	}
	return out, rows.Err()
}

// slaveStatus fills p's replication threads and source.
func slaveStatus(ctx context.Context, conn *sql.Conn, p *Probe) error {
	st, err := SlaveStatus(ctx, conn)
	if err != nil {
		return err
	}
	p.IORunning, p.SQLRunning, p.Source = st["Slave_IO_Running"], st["Slave_SQL_Running"], st["Master_Host"]
	return nil
}

// Querier is a *sql.DB or a *sql.Conn.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// SlaveStatus reads SHOW SLAVE STATUS by column name (empty: no replication
// configured).
func SlaveStatus(ctx context.Context, q Querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if !rows.Next() {
		return out, rows.Err()
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, c := range cols {
		out[c] = vals[i].String
	}
	return out, rows.Err()
}

// RoleOf derives a reachable node's role and writability from its probe.
// Galera: writable = wsrep ready, in the Primary component and not read-only
// (ReadOnly already folds in wsrep_ready).
func RoleOf(topology string, p Probe) (string, bool) {
	if !p.Reachable {
		return RoleDown, false
	}
	if topology == galera {
		primary := p.ClusterStatus == "Primary"
		if primary && p.LocalState == "Synced" {
			return RoleGaleraSynced, !p.ReadOnly
		}
		return RoleGaleraOther, primary && !p.ReadOnly
	}
	if p.ReadOnly {
		return RoleReplica, false
	}
	return RolePrimary, true
}

// confID parses wsrep_cluster_conf_id; a non-Primary node reports 2^64-1,
// which is -1 here.
func confID(s string) int64 {
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil || u > math.MaxInt64 {
		return -1
	}
	return int64(u)
}

// Unhealthy says why probes do not show a converged cluster, "" if they do.
func Unhealthy(topology string, probes []Probe) string {
	for _, p := range probes {
		if !p.Reachable {
			return fmt.Sprintf("%s unreachable: %s", p.Node, p.Err)
		}
	}
	if topology == galera {
		return galeraUnhealthy(probes)
	}
	return replicationUnhealthy(probes)
}

func galeraUnhealthy(probes []Probe) string {
	first := probes[0]
	for _, p := range probes {
		switch {
		case p.Role != RoleGaleraSynced || !p.Writable:
			return fmt.Sprintf("%s is %s/%s", p.Node, p.ClusterStatus, p.LocalState)
		case p.ClusterSize != len(probes):
			return fmt.Sprintf("%s sees cluster size %d, want %d", p.Node, p.ClusterSize, len(probes))
		case p.ConfID != first.ConfID || p.StateUUID != first.StateUUID:
			return fmt.Sprintf("%s in view %d/%s, %s in %d/%s", p.Node, p.ConfID, p.StateUUID, first.Node, first.ConfID, first.StateUUID)
		}
	}
	return ""
}

func replicationUnhealthy(probes []Probe) string {
	return replicationBehind(probes, nil)
}

// replicationBehind is replicationUnhealthy with the position each replica
// must reach given by target (the primary's binlog position when nil).
func replicationBehind(probes []Probe, target func(primary Probe) string) string {
	var primary *Probe
	for i, p := range probes {
		if p.Writable {
			if primary != nil {
				return fmt.Sprintf("two writable nodes: %s and %s", primary.Node, p.Node)
			}
			primary = &probes[i]
		}
	}
	if primary == nil {
		return "no writable primary"
	}
	for _, p := range probes {
		if p.Node == primary.Node {
			continue
		}
		if p.IORunning != "Yes" || p.SQLRunning != "Yes" {
			return fmt.Sprintf("%s replication threads IO=%q SQL=%q", p.Node, p.IORunning, p.SQLRunning)
		}
		want := primary.GTIDBinlog
		if target != nil {
			want = target(*primary)
		}
		if !CaughtUp(p.GTIDCurrent, want) {
			return fmt.Sprintf("%s at %q, primary %s at %q", p.Node, p.GTIDCurrent, primary.Node, want)
		}
	}
	return ""
}

// Settling judges successive probe rounds of a cluster that may be under
// load. Unhealthy asks of one round that every replica has reached the
// primary's position at that instant, which a replica applying a steady
// stream of writes is always one transaction short of; Settling asks instead
// that it reach where the primary stood one round earlier — still proof that
// it is connected and applying, without a race against the next write. The
// first round, with nothing earlier to compare with, is judged as Unhealthy
// judges it. Galera rounds are judged as Unhealthy judges them.
type Settling struct {
	primary, pos string
}

// Unhealthy says why this round does not show a converged cluster, "" if it
// does, and remembers the round's primary position for the next one.
func (s *Settling) Unhealthy(topology string, probes []Probe) string {
	for _, p := range probes {
		if !p.Reachable {
			return fmt.Sprintf("%s unreachable: %s", p.Node, p.Err)
		}
	}
	if topology == galera {
		return galeraUnhealthy(probes)
	}
	why := replicationBehind(probes, func(primary Probe) string {
		if s.primary == primary.Node {
			return s.pos
		}
		return primary.GTIDBinlog
	})
	s.primary, s.pos = "", ""
	for _, p := range probes {
		if p.Writable {
			s.primary, s.pos = p.Node, p.GTIDBinlog
			break
		}
	}
	return why
}

// CaughtUp reports whether GTID position pos has reached target in every
// domain of target (positions like "0-1-42,1-3-7").
func CaughtUp(pos, target string) bool {
	have := parseGTIDs(pos)
	for domain, seq := range parseGTIDs(target) {
		if have[domain] < seq {
			return false
		}
	}
	return true
}

func parseGTIDs(s string) map[string]uint64 {
	out := map[string]uint64{}
	for _, g := range strings.Split(s, ",") {
		parts := strings.Split(strings.TrimSpace(g), "-")
		if len(parts) != 3 {
			continue
		}
		seq, err := strconv.ParseUint(parts[2], 10, 64)
		if err == nil {
			out[parts[0]] = seq
		}
	}
	return out
}

// ProbeSQL observes one node on one connection from its probe pool (pool
// gives the node's pool), the whole probe bounded by timeout. It never
// fails: an unreachable node is a sample with Reachable false, Role down
// and Err saying why; a connection that failed mid-probe leaves the pool.
func ProbeSQL(ctx context.Context, node, topology string, timeout time.Duration, pool func(node string) (*sql.DB, error)) Probe {
	p := Probe{Node: node, Role: RoleDown}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, err := pool(node)
	if err != nil {
		p.Err = err.Error()
		return p
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		p.Err = err.Error()
		return p
	}
	defer conn.Close()
	if err := ObserveSQL(ctx, conn, topology, &p); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		p.Err = err.Error()
		if !p.Reachable {
			return p
		}
	}
	p.Role, p.Writable = RoleOf(topology, p)
	return p
}

// ProbePool sizes a node's probe pool: probes are serial per node, so two
// connections at most, one kept idle for a few seconds.
func ProbePool(db *sql.DB) *sql.DB {
	db.SetMaxOpenConns(2)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(5 * time.Second)
	return db
}
