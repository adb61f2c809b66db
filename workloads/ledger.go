package workloads

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// LedgerStride separates the value ranges of ledger clients: client c's
// n-th add (n = 1, 2, …) inserts c*LedgerStride + n, unique in the run.
const LedgerStride = 1_000_000_000

// ledger: f=add of a unique value as one autocommit INSERT; its final read
// lists every value on every node, so an acknowledged add missing anywhere
// is a lost write and a value present on one side only is split-brain.
//
// The row is the value and ts, the executing node's NOW(6) in µs since the
// epoch (a column default, so the INSERT names v alone): which client sent
// it to which node and when is in the history already, and every byte of a
// row is replicated to and applied on every node, at the cost of the
// throughput the workload exists to generate. ts is there for the
// timestamp-order check: the node's clock, against the harness's order of
// the writes. The INSERT is a prepared statement for the same reason.
type ledger struct{ seed int64 }

func newLedger(seed int64) *ledger { return &ledger{seed: seed} }

func (l *ledger) Kind() string     { return scenarios.WorkloadLedger }
func (l *ledger) Tables() []string { return []string{"ledger"} }

func (l *ledger) Setup(ctx context.Context, db *sql.DB) error {
	return recreate(ctx, db, map[string]string{
		"ledger": "v BIGINT PRIMARY KEY, ts BIGINT NOT NULL DEFAULT (UNIX_TIMESTAMP(NOW(6)) * 1000000)",
	})
}

// LedgerValue is client's n-th value.
func LedgerValue(client int, n int64) int64 { return int64(client)*LedgerStride + n }

// Ready: the table exists and is empty.
func (l *ledger) Ready(ctx context.Context, db *sql.DB) error {
	return countIs(ctx, db, "ledger", 0, "", 0)
}

func (l *ledger) NewClient(id int) Client { return &ledgerClient{id: id} }

type ledgerClient struct {
	id int
	n  int64
}

func (c *ledgerClient) Next() *Op {
	c.n++
	v := LedgerValue(c.id, c.n)
	raw := json.RawMessage(strconv.AppendInt(nil, v, 10))
	return &Op{F: "add", Value: raw, Single: true, Do: func(ctx context.Context, s *Session) (json.RawMessage, error) {
		_, err := s.ExecPrepared(ctx, "INSERT INTO ledger (v) VALUES (?)", v)
		return raw, ledgerOutcome(err)
	}}
}

// ledgerOutcome: a duplicate of a value no other operation uses means an
// earlier attempt of this very value is there — we cannot tell whether
// this one did it, so it is info rather than fail.
func ledgerOutcome(err error) error {
	var oe *OpError
	if errors.As(err, &oe) && ServerErrorNumber(err) == ErrDuplicate {
		oe.Outcome = history.Info
	}
	return err
}

func (l *ledger) FinalRead(ctx context.Context, node targets.Node) (history.FinalNode, error) {
	return finalRead(ctx, node, l.Tables(), func(db *sql.DB, fn *history.FinalNode) error {
		rows, err := db.QueryContext(ctx, "SELECT v, ts FROM ledger ORDER BY v")
		if err != nil {
			return err
		}
		defer rows.Close()
		fn.Ledger, fn.LedgerTS = []int64{}, []int64{}
		for rows.Next() {
			var v, ts int64
			if err := rows.Scan(&v, &ts); err != nil {
				return err
			}
			fn.Ledger, fn.LedgerTS = append(fn.Ledger, v), append(fn.LedgerTS, ts)
		}
		return rows.Err()
	})
}
