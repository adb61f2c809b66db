package workloads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"faultline.dev/faultline/targets"
)

// readyPoll is how often WaitReady looks again.
const readyPoll = 100 * time.Millisecond

// WaitReady waits until every node holds the state w's Setup created, so no
// client reads a half-replicated schema or seed. Run it between Setup and
// Pool.Run.
func WaitReady(ctx context.Context, w Workload, nodes []targets.Node, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for _, n := range nodes {
		if err := waitNodeReady(ctx, w, n); err != nil {
			return fmt.Errorf("%s setup not visible on %s: %w", w.Kind(), n.Name, err)
		}
	}
	return nil
}

func waitNodeReady(ctx context.Context, w Workload, n targets.Node) error {
	db, err := openDB(n, "", 5*time.Second)
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		err = w.Ready(ctx, db)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(readyPoll):
		}
	}
}

// countIs checks that table holds want rows (and, when sumCol is set, that
// they add up to sum).
func countIs(ctx context.Context, db *sql.DB, table string, want int64, sumCol string, sum int64) error {
	q := "SELECT COUNT(*), 0 FROM " + Database + "." + table
	if sumCol != "" {
		q = "SELECT COUNT(*), COALESCE(SUM(" + sumCol + "), 0) FROM " + Database + "." + table
	}
	var n, s int64
	if err := db.QueryRowContext(ctx, q).Scan(&n, &s); err != nil {
		return err
	}
	if n != want || (sumCol != "" && s != sum) {
		return fmt.Errorf("%s holds %d rows (sum %d), want %d (sum %d)", table, n, s, want, sum)
	}
	return nil
}
