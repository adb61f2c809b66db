package workloads

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/targets"
)

// finalTimeout bounds each statement of a final read.
const finalTimeout = 30 * time.Second

// finalRead connects to node, reads its GTID positions and the checksums of
// tables, then lets body fill in the workload's part. An unreachable node
// is returned with Reachable false and Err set, along with the error.
func finalRead(ctx context.Context, node targets.Node, tables []string, body func(*sql.DB, *history.FinalNode) error) (history.FinalNode, error) {
	fn := history.FinalNode{Node: node.Name}
	fail := func(err error) (history.FinalNode, error) {
		err = fmt.Errorf("final read of %s: %w", node.Name, err)
		fn.Err = err.Error()
		return fn, err
	}
	db, err := openDB(node, Database, finalTimeout)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fail(err)
	}
	fn.Reachable = true
	// A causal read on Galera: the node first applies every write set
	// committed anywhere in the cluster, so an applier that is a moment
	// behind is not mistaken for a lost write. Servers without wsrep do not
	// know the variable (1193); their reads need no waiting.
	if _, err := db.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil && ServerErrorNumber(err) != 1193 {
		return fail(fmt.Errorf("causal read: %w", err))
	}
	if err := readGTID(ctx, db, &fn); err != nil {
		return fail(err)
	}
	if fn.Checksums, err = checksums(ctx, db, tables); err != nil {
		return fail(err)
	}
	if err := body(db, &fn); err != nil {
		return fail(err)
	}
	return fn, nil
}

func readGTID(ctx context.Context, db *sql.DB, fn *history.FinalNode) error {
	err := db.QueryRowContext(ctx, "SELECT @@gtid_binlog_state, @@gtid_current_pos").Scan(&fn.GTIDBinlog, &fn.GTIDCurrent)
	if err != nil {
		return fmt.Errorf("gtid positions: %w", err)
	}
	return nil
}

// checksums runs CHECKSUM TABLE on each table.
func checksums(ctx context.Context, db *sql.DB, tables []string) (map[string]int64, error) {
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		var name string
		var sum sql.NullInt64
		if err := db.QueryRowContext(ctx, "CHECKSUM TABLE "+t).Scan(&name, &sum); err != nil {
			return nil, fmt.Errorf("checksum table %s: %w", t, err)
		}
		out[t] = sum.Int64
	}
	return out, nil
}

// queryPairs reads (int64 key, string value) rows.
func queryPairs(ctx context.Context, db *sql.DB, q string, each func(k int64, v string)) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		each(k, v.String)
	}
	return rows.Err()
}

// rowDigest is the content digest of a row for FinalNode.Rows.
func rowDigest(content string) string {
	h := fnv.New64a()
	h.Write([]byte(content))
	return strconv.FormatUint(h.Sum64(), 16)
}

// rowKey names a row for FinalNode.Rows: "table/key".
func rowKey(table string, k int64) string {
	return table + "/" + strconv.FormatInt(k, 10)
}

// recreate creates the faultline database if needed and each table afresh.
func recreate(ctx context.Context, db *sql.DB, ddl map[string]string) error {
	if _, err := db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+Database); err != nil {
		return fmt.Errorf("create database %s: %w", Database, err)
	}
	for table, cols := range ddl {
		name := Database + "." + table
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop table %s: %w", name, err)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+name+" ("+cols+") ENGINE=InnoDB"); err != nil {
			return fmt.Errorf("create table %s: %w", name, err)
		}
	}
	return nil
}

// FinalReadAll reads every node concurrently. A node that cannot be read is
// in the result with Reachable false (or Err set), never left out.
func FinalReadAll(ctx context.Context, w Workload, nodes []targets.Node) []history.FinalNode {
	out := make([]history.FinalNode, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() { out[i], _ = w.FinalRead(ctx, n) })
	}
	wg.Wait()
	return out
}
