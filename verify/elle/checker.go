package elle

import (
	"context"
)

// checker holds the state of one check.
type checker struct {
	ctx        context.Context
	txns       []Txn
	opts       Options
	rep        *report
	keys       []*keyState
	keyIdx     map[int64]int32
	inGraph    []bool
	g          *graph
	incomplete []string
	ticks      int
	scratch    []txnKey // reused by internal
	ops        int      // micro-ops in all transactions
}

func newChecker(ctx context.Context, txns []Txn, opts Options) *checker {
	return &checker{ctx: ctx, txns: txns, opts: opts, rep: newReport(opts.MaxPerType),
		keyIdx: map[int64]int32{}, inGraph: make([]bool, len(txns))}
}

// tick checks for cancellation every few thousand calls.
func (c *checker) tick() error {
	c.ticks++
	if c.ticks&4095 == 0 {
		return c.ctx.Err()
	}
	return nil
}

func (c *checker) keyOf(k int64) *keyState {
	i, ok := c.keyIdx[k]
	if !ok {
		i = int32(len(c.keys))
		c.keyIdx[k] = i
		c.keys = append(c.keys, &keyState{key: k, writes: map[int64]write{}})
	}
	return c.keys[i]
}

func (c *checker) graphCount() int {
	n := 0
	for _, in := range c.inGraph {
		if in {
			n++
		}
	}
	return n
}

func ptr[T any](v T) *T { return &v }
