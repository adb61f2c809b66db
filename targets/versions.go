package targets

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
)

// AskVersions asks the nodes, in order, for the server's version and (on
// Galera) the provider's, and returns the first answer: what the cluster
// runs, not what the harness host has installed. Unreachable nodes are
// skipped; no answer at all gives empty Versions.
func AskVersions(ctx context.Context, nodes []Node) Versions {
	for _, n := range nodes {
		if v, err := askVersions(ctx, n); err == nil {
			return v
		}
	}
	return Versions{}
}

func askVersions(ctx context.Context, n Node) (Versions, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	db, err := n.OpenDB("", 5*time.Second)
	if err != nil {
		return Versions{}, err
	}
	defer db.Close()
	var v Versions
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v.MariaDB); err != nil {
		return Versions{}, err
	}
	var name string
	err = db.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'wsrep_provider_version'").Scan(&name, &v.Galera)
	if err != nil && err != sql.ErrNoRows {
		return Versions{}, err
	}
	return v, nil
}

// OpenDB opens a handle to the node's database db ("" = none) with timeout
// for dial, read and write, connecting through the node's Dial when it has
// one.
func (n Node) OpenDB(db string, timeout time.Duration) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(n.DSN(db, timeout))
	if err != nil {
		return nil, fmt.Errorf("dsn of %s: %w", n.Name, err)
	}
	if n.Dial != nil {
		cfg.DialFunc = n.Dial
	}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("connector of %s: %w", n.Name, err)
	}
	return sql.OpenDB(c), nil
}
