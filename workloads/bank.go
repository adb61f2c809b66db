package workloads

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"strconv"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// ErrInsufficientFunds is a transfer refused because the source account
// holds less than the amount: rolled back, a definite fail.
var ErrInsufficientFunds = errors.New("insufficient funds")

// bankMaxAmount bounds a transfer's amount (uniform in 1..bankMaxAmount).
const bankMaxAmount = 5

// bank: accounts 0..n-1 share a fixed total. A transfer reads both balances
// (FOR UPDATE with lockingReads) and writes both back as absolute values —
// a read-modify-write that loses updates when isolation lets two transfers
// read the same balance. A read returns every balance from one transaction;
// the bank checker demands the total in every read and in the final state.
type bank struct {
	seed     int64
	accounts int
	total    int64
	locking  bool
	readFrac float64
}

func newBank(w scenarios.Workload, seed int64) *bank {
	return &bank{seed: seed, accounts: w.Accounts, total: w.Total, locking: w.LockingReads, readFrac: *w.ReadFraction}
}

func (b *bank) Kind() string     { return scenarios.WorkloadBank }
func (b *bank) Tables() []string { return []string{"accounts"} }

// BankTotal is the sum of every balance of the bank workload w describes —
// scenarios.Workload.Total is the whole bank's total, not per account
// (default accounts × 100) — for the bank checker's invariant.
func BankTotal(w scenarios.Workload) int64 {
	return WithDefaults(w).Total
}

// InitialBalance is account id's balance at setup: the total split evenly,
// the remainder on account 0.
func InitialBalance(total int64, accounts int, id int64) int64 {
	each := total / int64(accounts)
	if id == 0 {
		return each + total%int64(accounts)
	}
	return each
}

func (b *bank) Setup(ctx context.Context, db *sql.DB) error {
	if err := recreate(ctx, db, map[string]string{"accounts": "id INT PRIMARY KEY, balance BIGINT NOT NULL"}); err != nil {
		return err
	}
	for id := range int64(b.accounts) {
		if _, err := db.ExecContext(ctx, "INSERT INTO "+Database+".accounts (id, balance) VALUES (?, ?)",
			id, InitialBalance(b.total, b.accounts, id)); err != nil {
			return fmt.Errorf("insert account %d: %w", id, err)
		}
	}
	return nil
}

// Ready: every account exists and the balances add up to the total.
func (b *bank) Ready(ctx context.Context, db *sql.DB) error {
	return countIs(ctx, db, "accounts", int64(b.accounts), "balance", b.total)
}

func (b *bank) NewClient(id int) Client { return &bankClient{b: b, rng: clientRand(b.seed, id)} }

type bankClient struct {
	b   *bank
	rng *rand.Rand
}

func (c *bankClient) Next() *Op {
	if c.rng.Float64() < c.b.readFrac {
		return &Op{F: "read", ReadOnly: true, Do: c.b.read}
	}
	n := int64(c.b.accounts)
	t := history.Transfer{From: c.rng.Int63n(n), Amount: 1 + c.rng.Int63n(bankMaxAmount)}
	t.To = (t.From + 1 + c.rng.Int63n(n-1)) % n
	return &Op{F: "transfer", Value: marshal(t), Do: func(ctx context.Context, s *Session) (json.RawMessage, error) {
		return marshal(t), c.b.transfer(ctx, s, t)
	}}
}

func (b *bank) lock() string {
	if b.locking {
		return " FOR UPDATE"
	}
	return ""
}

func (b *bank) transfer(ctx context.Context, s *Session, t history.Transfer) error {
	return s.InTxn(ctx, func() error {
		bal := map[int64]int64{}
		err := s.Query(ctx, func(r *sql.Rows) error {
			var id, v int64
			err := r.Scan(&id, &v)
			bal[id] = v
			return err
		}, "SELECT id, balance FROM accounts WHERE id IN (?, ?)"+b.lock(), t.From, t.To)
		if err != nil {
			return err
		}
		if len(bal) != 2 {
			return &OpError{Phase: PhaseStatement, Err: fmt.Errorf("accounts %d and %d: found %d rows", t.From, t.To, len(bal)), Outcome: history.Fail}
		}
		if bal[t.From] < t.Amount {
			return &OpError{Phase: PhaseStatement, Err: ErrInsufficientFunds, Outcome: history.Fail}
		}
		if _, err := s.Exec(ctx, "UPDATE accounts SET balance = ? WHERE id = ?", bal[t.From]-t.Amount, t.From); err != nil {
			return err
		}
		_, err = s.Exec(ctx, "UPDATE accounts SET balance = ? WHERE id = ?", bal[t.To]+t.Amount, t.To)
		return err
	})
}

// read returns every balance, indexed by account id (a missing account
// reads as 0, which the checker sees as money gone).
func (b *bank) read(ctx context.Context, s *Session) (json.RawMessage, error) {
	res := history.BankRead{Balances: make([]int64, b.accounts)}
	err := s.InTxn(ctx, func() error {
		return s.Query(ctx, func(r *sql.Rows) error {
			var id, v int64
			if err := r.Scan(&id, &v); err != nil {
				return err
			}
			for id >= int64(len(res.Balances)) {
				res.Balances = append(res.Balances, 0)
			}
			res.Balances[id] = v
			return nil
		}, "SELECT id, balance FROM accounts ORDER BY id"+b.lock())
	})
	if err != nil {
		return nil, err
	}
	return marshal(res), nil
}

func (b *bank) FinalRead(ctx context.Context, node targets.Node) (history.FinalNode, error) {
	return finalRead(ctx, node, b.Tables(), func(db *sql.DB, fn *history.FinalNode) error {
		fn.Balances = map[int64]int64{}
		fn.Rows = map[string]string{}
		return queryPairs(ctx, db, "SELECT id, CAST(balance AS CHAR) FROM accounts", func(k int64, v string) {
			n, _ := strconv.ParseInt(v, 10, 64)
			fn.Balances[k] = n
			fn.Rows[rowKey("accounts", k)] = rowDigest(v)
		})
	})
}
