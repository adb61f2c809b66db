package workloads

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"strconv"
	"sync/atomic"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// RegisterInitial is the value of every register at setup: rows 0..keys-1
// are created with it, so a read before any write returns it (never null).
const RegisterInitial = 0

// register: read, write and compare-and-set of single-row registers, each
// one autocommit statement, for the linearizability checker. Written values
// come from one counter (1, 2, …), unique in the run.
type register struct {
	seed     int64
	keys     int
	readFrac float64
	next     atomic.Int64
}

func newRegister(w scenarios.Workload, seed int64) *register {
	return &register{seed: seed, keys: w.Keys, readFrac: *w.ReadFraction}
}

func (g *register) Kind() string     { return scenarios.WorkloadRegister }
func (g *register) Tables() []string { return []string{"registers"} }

func (g *register) Setup(ctx context.Context, db *sql.DB) error {
	if err := recreate(ctx, db, map[string]string{"registers": "k BIGINT PRIMARY KEY, v BIGINT NOT NULL"}); err != nil {
		return err
	}
	for k := range int64(g.keys) {
		if _, err := db.ExecContext(ctx, "INSERT INTO "+Database+".registers (k, v) VALUES (?, ?)", k, RegisterInitial); err != nil {
			return fmt.Errorf("insert register %d: %w", k, err)
		}
	}
	return nil
}

// Ready: every register exists with its initial value.
func (g *register) Ready(ctx context.Context, db *sql.DB) error {
	return countIs(ctx, db, "registers", int64(g.keys), "v", RegisterInitial*int64(g.keys))
}

func (g *register) NewClient(id int) Client {
	return &registerClient{g: g, rng: clientRand(g.seed, id), last: map[int64]int64{}}
}

// registerClient remembers the last value it saw per key, the likely
// current value, as the expected value of its next cas on that key.
type registerClient struct {
	g    *register
	rng  *rand.Rand
	last map[int64]int64
}

func (c *registerClient) Next() *Op {
	k := c.rng.Int63n(int64(c.g.keys))
	switch {
	case c.rng.Float64() < c.g.readFrac:
		return &Op{F: "read", Value: marshal(history.RegisterOp{K: k}), ReadOnly: true, Single: true, Do: func(ctx context.Context, s *Session) (json.RawMessage, error) {
			return c.read(ctx, s, k)
		}}
	case c.rng.Intn(2) == 0:
		v := c.g.next.Add(1)
		op := history.RegisterOp{K: k, V: &v}
		return &Op{F: "write", Value: marshal(op), Single: true, Do: func(ctx context.Context, s *Session) (json.RawMessage, error) {
			return c.write(ctx, s, op)
		}}
	}
	old, nw := c.last[k], c.g.next.Add(1)
	op := history.RegisterOp{K: k, Old: &old, New: &nw}
	return &Op{F: "cas", Value: marshal(op), Single: true, Do: func(ctx context.Context, s *Session) (json.RawMessage, error) {
		return c.cas(ctx, s, op)
	}}
}

func (c *registerClient) read(ctx context.Context, s *Session, k int64) (json.RawMessage, error) {
	var v sql.NullInt64
	err := s.Query(ctx, func(r *sql.Rows) error { return r.Scan(&v) }, "SELECT v FROM registers WHERE k = ?", k)
	if err != nil {
		return nil, err
	}
	op := history.RegisterOp{K: k}
	if v.Valid {
		op.V = &v.Int64
		c.last[k] = v.Int64
	}
	return marshal(op), nil
}

func (c *registerClient) write(ctx context.Context, s *Session, op history.RegisterOp) (json.RawMessage, error) {
	res, err := s.ExecPrepared(ctx, "UPDATE registers SET v = ? WHERE k = ?", *op.V, op.K)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, &OpError{Phase: PhaseCommit, Err: fmt.Errorf("register %d: %d rows changed", op.K, n), Outcome: history.Fail}
	}
	c.last[op.K] = *op.V
	return marshal(op), nil
}

// cas: one row changed = ok; none = the register did not hold old, a
// definite fail.
func (c *registerClient) cas(ctx context.Context, s *Session, op history.RegisterOp) (json.RawMessage, error) {
	res, err := s.ExecPrepared(ctx, "UPDATE registers SET v = ? WHERE k = ? AND v = ?", *op.New, op.K, *op.Old)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, &OpError{Phase: PhaseCommit, Err: fmt.Errorf("cas register %d: value is not %d", op.K, *op.Old), Outcome: history.Fail}
	}
	c.last[op.K] = *op.New
	return marshal(op), nil
}

func (g *register) FinalRead(ctx context.Context, node targets.Node) (history.FinalNode, error) {
	return finalRead(ctx, node, g.Tables(), func(db *sql.DB, fn *history.FinalNode) error {
		fn.Registers = map[int64]int64{}
		fn.Rows = map[string]string{}
		return queryPairs(ctx, db, "SELECT k, CAST(v AS CHAR) FROM registers", func(k int64, v string) {
			n, _ := strconv.ParseInt(v, 10, 64)
			fn.Registers[k] = n
			fn.Rows[rowKey("registers", k)] = rowDigest(v)
		})
	})
}
