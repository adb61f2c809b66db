package local

import (
	"context"
	"database/sql"
	"fmt"
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
	l.dbs[node] = targets.ProbePool(db)
	return db, nil
}

// Probe observes one node with one short-timeout connection (see
// targets.ProbeSQL).
func (l *Lab) Probe(ctx context.Context, node string) targets.Probe {
	return targets.ProbeSQL(ctx, node, l.st.Topology, probeTimeout, l.probeDB)
}
