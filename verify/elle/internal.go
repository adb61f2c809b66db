package elle

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"faultline.dev/faultline/history"
)

// txnKey is what a transaction knows of one key while it runs: the last list
// it read (if any) and what it appended since.
type txnKey struct {
	key      int64
	known    bool
	prefix   []int64
	appended []int64
}

// internal checks that each read of txn id agrees with the transaction's own
// earlier reads and appends of the same key.
func (c *checker) internal(id int32) {
	state := c.scratch[:0]
	defer func() { c.scratch = state }()
	at := func(k int64) *txnKey {
		for i := range state {
			if state[i].key == k {
				return &state[i]
			}
		}
		state = append(state, txnKey{key: k})
		return &state[len(state)-1]
	}
	ops := c.txns[id].Ops
	for i, op := range ops {
		s := at(op.K)
		switch {
		case op.F == history.MopAppend:
			s.appended = append(s.appended, op.V)
		case op.L != nil:
			c.internalRead(id, s, op.L)
			c.futureRead(id, op, ops[i+1:])
			s.known, s.prefix, s.appended = true, op.L, nil
		}
	}
}

// futureRead reports a read that holds a value its own transaction appends
// only later.
func (c *checker) futureRead(id int32, read history.MicroOp, later []history.MicroOp) {
	ks := c.keys[c.keyIdx[read.K]]
	for _, op := range later {
		if op.F != history.MopAppend || op.K != read.K {
			continue
		}
		p, ok := ks.pos[op.V]
		if ks.broken {
			ok, p = slices.Contains(read.L, op.V), 0
		}
		if ok && int(p) < len(read.L) {
			c.rep.add("future-read", func() Anomaly {
				return Anomaly{Type: "future-read", Key: ptr(read.K), Txns: []TxnRef{c.ref(id)}, Read: read.L, Element: ptr(op.V),
					Explanation: fmt.Sprintf("T%d read key %d = %s, holding %d, which it appends only later", id, read.K, short(read.L), op.V)}
			})
			return
		}
	}
}

func (c *checker) internalRead(id int32, s *txnKey, l []int64) {
	if s.known {
		if isPrefix(s.prefix, l) && slices.Equal(l[len(s.prefix):], s.appended) {
			return
		}
		c.rep.add("internal", func() Anomaly {
			want := append(slices.Clip(s.prefix), s.appended...)
			return Anomaly{Type: "internal", Key: ptr(s.key), Txns: []TxnRef{c.ref(id)}, Read: l, Expected: want,
				Explanation: fmt.Sprintf("T%d read key %d = %s, but its own earlier read and appends imply %s", id, s.key, short(l), short(want))}
		})
		return
	}
	n := len(s.appended)
	if n == 0 || (len(l) >= n && slices.Equal(l[len(l)-n:], s.appended)) {
		return
	}
	c.rep.add("internal", func() Anomaly {
		return Anomaly{Type: "internal", Key: ptr(s.key), Txns: []TxnRef{c.ref(id)}, Read: l, Expected: s.appended,
			Explanation: fmt.Sprintf("T%d read key %d = %s, which does not end with its own appends %s", id, s.key, short(l), short(s.appended))}
	})
}

// externalWrites files txn id under (key, version read) for every key it read
// before appending to it.
func (c *checker) externalWrites(id int32, lost map[[2]int64][]int32) {
	ops := c.txns[id].Ops
	for i, op := range ops {
		if op.F != history.MopRead || op.L == nil || !c.firstTouch(ops[:i], op.K) || !appendsTo(ops[i+1:], op.K) {
			continue
		}
		ks := c.keys[c.keyIdx[op.K]]
		if ks.broken {
			continue
		}
		v := [2]int64{op.K, int64(len(op.L))}
		lost[v] = append(lost[v], id)
	}
}

func (c *checker) firstTouch(before []history.MicroOp, k int64) bool {
	for _, op := range before {
		if op.K == k {
			return false
		}
	}
	return true
}

func appendsTo(ops []history.MicroOp, k int64) bool {
	for _, op := range ops {
		if op.F == history.MopAppend && op.K == k {
			return true
		}
	}
	return false
}

// lostUpdates reports versions that more than one committed transaction read
// and then appended to.
func (c *checker) lostUpdates(lost map[[2]int64][]int32) {
	versions := slices.Collect(maps.Keys(lost))
	slices.SortFunc(versions, func(a, b [2]int64) int {
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		return cmp.Compare(a[1], b[1])
	})
	for _, kv := range versions {
		ids := lost[kv]
		if len(ids) < 2 {
			continue
		}
		ks := c.keys[c.keyIdx[kv[0]]]
		version := ks.order[:kv[1]]
		refs := make([]TxnRef, len(ids))
		for i, id := range ids {
			refs[i] = c.ref(id)
		}
		c.rep.add("lost-update", func() Anomaly {
			return Anomaly{Type: "lost-update", Key: ptr(kv[0]), Txns: refs, Read: version,
				Explanation: fmt.Sprintf("%d transactions read key %d = %s and each appended to it: all but one update is lost", len(ids), kv[0], short(version))}
		})
	}
}
