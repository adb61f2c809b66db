package workloads

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// MaxAppendsPerKey retires a list-append key after this many appends were
// generated for it, so each key's history stays short enough to check.
const MaxAppendsPerKey = 32

// listAppend: transactions of appends to and reads of lists stored as
// comma-separated TEXT, for the isolation checker. Appended values come
// from one counter, unique across keys.
type listAppend struct {
	seed     int64
	minLen   int
	maxLen   int
	readFrac float64
	keys     *keyPool
	next     atomic.Int64 // last appended value
}

func newListAppend(w scenarios.Workload, seed int64) *listAppend {
	return &listAppend{
		seed: seed, minLen: w.MinTxnLength, maxLen: w.MaxTxnLength, readFrac: *w.ReadFraction,
		keys: newKeyPool(w.Keys, MaxAppendsPerKey),
	}
}

func (l *listAppend) Kind() string     { return scenarios.WorkloadListAppend }
func (l *listAppend) Tables() []string { return []string{"lists"} }

func (l *listAppend) Setup(ctx context.Context, db *sql.DB) error {
	return recreate(ctx, db, map[string]string{"lists": "k BIGINT PRIMARY KEY, v TEXT NOT NULL"})
}

// Ready: the table exists and is empty.
func (l *listAppend) Ready(ctx context.Context, db *sql.DB) error {
	return countIs(ctx, db, "lists", 0, "", 0)
}

func (l *listAppend) NewClient(id int) Client {
	return &listClient{l: l, rng: clientRand(l.seed, id)}
}

type listClient struct {
	l   *listAppend
	rng *rand.Rand
}

// Next draws a transaction of minLen..maxLen micro-ops.
func (c *listClient) Next() *Op {
	l := c.l
	n := l.minLen + c.rng.Intn(l.maxLen-l.minLen+1)
	mops := make([]history.MicroOp, n)
	readOnly := true
	for i := range mops {
		if c.rng.Float64() < l.readFrac {
			mops[i] = history.MicroOp{F: history.MopRead, K: l.keys.pick(c.rng, false)}
			continue
		}
		mops[i] = history.MicroOp{F: history.MopAppend, K: l.keys.pick(c.rng, true), V: l.next.Add(1)}
		readOnly = false
	}
	return &Op{F: "txn", Value: marshal(mops), ReadOnly: readOnly, Do: func(ctx context.Context, s *Session) (json.RawMessage, error) {
		return l.run(ctx, s, mops)
	}}
}

// run executes the micro-ops in one transaction; the result holds the
// lists read (a fresh copy, the invoke value stays as generated).
func (l *listAppend) run(ctx context.Context, s *Session, mops []history.MicroOp) (json.RawMessage, error) {
	out := make([]history.MicroOp, len(mops))
	copy(out, mops)
	err := s.InTxn(ctx, func() error {
		for i := range out {
			if err := l.micro(ctx, s, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return marshal(out), nil
}

func (l *listAppend) micro(ctx context.Context, s *Session, m *history.MicroOp) error {
	if m.F == history.MopAppend {
		_, err := s.Exec(ctx, "INSERT INTO lists (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', ?)", m.K, m.V, m.V)
		return err
	}
	var raw string
	err := s.Query(ctx, func(r *sql.Rows) error { return r.Scan(&raw) }, "SELECT v FROM lists WHERE k = ?", m.K)
	if err != nil {
		return err
	}
	list, perr := ParseList(raw)
	if perr != nil {
		return &OpError{Phase: PhaseStatement, Err: fmt.Errorf("list %d: %w", m.K, perr)}
	}
	m.L = list
	return nil
}

// ParseList decodes a stored list ("" is the empty list, never nil).
func ParseList(s string) ([]int64, error) {
	out := []int64{}
	if s == "" {
		return out, nil
	}
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("element %q: %w", f, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func (l *listAppend) FinalRead(ctx context.Context, node targets.Node) (history.FinalNode, error) {
	return finalRead(ctx, node, l.Tables(), func(db *sql.DB, fn *history.FinalNode) error {
		fn.Lists = map[int64][]int64{}
		fn.Rows = map[string]string{}
		var perr error
		err := queryPairs(ctx, db, "SELECT k, v FROM lists", func(k int64, v string) {
			list, err := ParseList(v)
			if err != nil && perr == nil {
				perr = fmt.Errorf("list %d: %w", k, err)
			}
			fn.Lists[k] = list
			fn.Rows[rowKey("lists", k)] = rowDigest(v)
		})
		if err != nil {
			return err
		}
		return perr
	})
}

// keyPool is the set of active keys, shared by every client: keys are
// drawn with an exponential skew toward the front of the pool (index i
// with weight ≈ e^(-3i/size)), and a key that has had max appends is
// replaced by a fresh one, so hot keys rotate and histories stay short.
type keyPool struct {
	mu      sync.Mutex
	active  []int64
	appends map[int64]int
	max     int
	nextKey int64
}

func newKeyPool(size, maxAppends int) *keyPool {
	p := &keyPool{active: make([]int64, size), appends: map[int64]int{}, max: maxAppends}
	for i := range p.active {
		p.active[i] = int64(i)
	}
	p.nextKey = int64(size)
	return p
}

// pick draws a key; forAppend counts an append against it.
func (p *keyPool) pick(rng *rand.Rand, forAppend bool) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	scale := float64(len(p.active)) / 3
	i := int(rng.ExpFloat64()*scale) % len(p.active)
	k := p.active[i]
	if !forAppend {
		return k
	}
	p.appends[k]++
	if p.appends[k] >= p.max {
		delete(p.appends, k)
		p.active[i] = p.nextKey
		p.nextKey++
	}
	return k
}
