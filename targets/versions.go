package targets

import (
	"context"
	"database/sql"
	"time"

	_ "github.com/go-sql-driver/mysql" // the servers speak MySQL's protocol
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
	db, err := sql.Open("mysql", n.DSN("", 5*time.Second))
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
