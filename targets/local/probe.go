package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/targets"
)

// probeTimeout bounds one probe: dial, queries and all.
const probeTimeout = time.Second

// adminDB opens a one-connection pool to node as root (caller closes it).
func (l *Lab) adminDB(node string) (*sql.DB, error) {
	n, err := l.admin(node)
	if err != nil {
		return nil, err
	}
	db, err := openQuiet(n.DSN("", 2*time.Second))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// openQuiet opens a pool whose driver does not log: a node that was killed
// leaves dead idle connections, which the pool drops by itself.
func openQuiet(dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg.Logger = quiet{}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

type quiet struct{}

func (quiet) Print(...any) {}

// exec runs statements on node as root, in order, on one connection.
func (l *Lab) exec(ctx context.Context, node string, stmts ...string) error {
	db, err := l.adminDB(node)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s on %s: %w", firstWords(s), node, err)
		}
	}
	return nil
}

func firstWords(s string) string {
	if f := strings.Fields(s); len(f) > 3 {
		return strings.Join(f[:3], " ")
	}
	return s
}

// probeDB is the node's small probe pool, as the workload user.
func (l *Lab) probeDB(node string) (*sql.DB, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if db := l.dbs[node]; db != nil {
		return db, nil
	}
	n, ok := targets.NodeByName(l, node)
	if !ok {
		return nil, fmt.Errorf("lab %s: no node %q", l.st.Name, node)
	}
	db, err := openQuiet(n.DSN("", probeTimeout))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(5 * time.Second)
	l.dbs[node] = db
	return db, nil
}

// Probe observes one node with one short-timeout connection. It never
// fails: an unreachable node is reported with Reachable=false and Role down.
func (l *Lab) Probe(ctx context.Context, node string) targets.Probe {
	p := targets.Probe{Node: node, Role: targets.RoleDown}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	db, err := l.probeDB(node)
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
	if err := l.observe(ctx, conn, &p); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // drop it from the pool
		p.Err = err.Error()
		if !p.Reachable {
			return p
		}
	}
	p.Role, p.Writable = role(l.st.Topology, p)
	return p
}

// observe fills p from one connection.
func (l *Lab) observe(ctx context.Context, conn *sql.Conn, p *targets.Probe) error {
	var wsrepReady bool
	if l.st.Topology == Galera {
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
	if l.st.Topology == Galera {
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

// slaveStatus reads SHOW SLAVE STATUS by column name.
func slaveStatus(ctx context.Context, conn *sql.Conn, p *targets.Probe) error {
	rows, err := conn.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if !rows.Next() {
		return rows.Err()
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return err
	}
	for i, c := range cols {
		switch c {
		case "Slave_IO_Running":
			p.IORunning = vals[i].String
		case "Slave_SQL_Running":
			p.SQLRunning = vals[i].String
		case "Master_Host":
			p.Source = vals[i].String
		}
	}
	return rows.Err()
}

// role derives a reachable node's role and writability from its probe.
// Galera: writable = wsrep ready, in the Primary component and not read-only
// (ReadOnly already folds in wsrep_ready).
func role(topology string, p targets.Probe) (string, bool) {
	if !p.Reachable {
		return targets.RoleDown, false
	}
	if topology == Galera {
		primary := p.ClusterStatus == "Primary"
		if primary && p.LocalState == "Synced" {
			return targets.RoleGaleraSynced, !p.ReadOnly
		}
		return targets.RoleGaleraOther, primary && !p.ReadOnly
	}
	if p.ReadOnly {
		return targets.RoleReplica, false
	}
	return targets.RolePrimary, true
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
