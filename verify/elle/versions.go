package elle

import (
	"fmt"
	"slices"

	"faultline.dev/faultline/history"
)

// write is one append: who made it and whether it was that transaction's
// final append to the key.
type write struct {
	txn  int32
	last bool
}

// readRef is one read: the reading transaction and the list it saw.
type readRef struct {
	txn  int32
	list []int64
}

// keyState is everything known about one key.
type keyState struct {
	key    int64
	writes map[int64]write
	reads  []readRef
	// order is the inferred version order: the longest read.
	order []int64
	// pos maps an element of order to its position.
	pos map[int64]int32
	// writer[i] is the transaction that appended order[i], -1 if none did.
	writer []int32
	// broken keys (incompatible orders, duplicates) give no edges.
	broken bool
}

// index records every append and every known read, per key.
func (c *checker) index() error {
	for id := range c.txns {
		if err := c.tick(); err != nil {
			return err
		}
		t := &c.txns[id]
		c.inGraph[id] = t.Status == history.OK
		c.ops += len(t.Ops)
		for i, op := range t.Ops {
			switch {
			case op.F == history.MopAppend:
				c.indexAppend(int32(id), t.Ops[:i], op)
			case op.F == history.MopRead && op.L != nil && t.Status == history.OK:
				ks := c.keyOf(op.K)
				ks.reads = append(ks.reads, readRef{txn: int32(id), list: op.L})
			}
		}
	}
	return nil
}

// indexAppend records op, appended by txn id after the ops in before.
func (c *checker) indexAppend(id int32, before []history.MicroOp, op history.MicroOp) {
	ks := c.keyOf(op.K)
	if w, dup := ks.writes[op.V]; dup {
		c.rep.add("duplicate-appends", func() Anomaly {
			return Anomaly{Type: "duplicate-appends", Key: ptr(op.K), Element: ptr(op.V),
				Txns:        []TxnRef{c.ref(w.txn), c.ref(id)},
				Explanation: fmt.Sprintf("value %d was appended to key %d twice: values must be unique per key", op.V, op.K)}
		})
		return
	}
	for j := len(before) - 1; j >= 0; j-- {
		if p := before[j]; p.F == history.MopAppend && p.K == op.K {
			if w, ok := ks.writes[p.V]; ok && w.txn == id {
				ks.writes[p.V] = write{txn: id}
			}
			break
		}
	}
	ks.writes[op.V] = write{txn: id, last: true}
}

// versions infers each key's version order and finds incompatible orders,
// duplicate elements and garbage.
func (c *checker) versions() error {
	for _, ks := range c.keys {
		if err := c.tick(); err != nil {
			return err
		}
		c.inferOrder(ks)
		c.markObserved(ks)
	}
	return nil
}

// inferOrder sets ks.order to the longest read and checks that every read
// is a prefix of it.
func (c *checker) inferOrder(ks *keyState) {
	var longest int32 = -1
	for _, r := range ks.reads {
		if len(r.list) > len(ks.order) || longest < 0 {
			ks.order, longest = r.list, r.txn
		}
	}
	for _, r := range ks.reads {
		if !isPrefix(r.list, ks.order) {
			if !ks.broken {
				c.rep.add("incompatible-order", func() Anomaly {
					return Anomaly{Type: "incompatible-order", Key: ptr(ks.key),
						Txns: []TxnRef{c.ref(longest), c.ref(r.txn)}, Read: r.list, Expected: ks.order,
						Explanation: fmt.Sprintf("reads of key %d are not prefixes of one another: %s and %s", ks.key, short(ks.order), short(r.list))}
				})
			}
			ks.broken = true
		}
	}
	ks.position()
	if ks.broken {
		c.checkEachRead(ks)
		return
	}
	c.checkPrefixReads(ks)
}

// position indexes ks.order: each element's position and writer. An order
// holding an element twice breaks the key.
func (ks *keyState) position() {
	ks.pos = make(map[int64]int32, len(ks.order))
	ks.writer = make([]int32, len(ks.order))
	for i, v := range ks.order {
		ks.writer[i] = -1
		if _, dup := ks.pos[v]; dup {
			ks.broken = true
			continue
		}
		ks.pos[v] = int32(i)
		if w, ok := ks.writes[v]; ok {
			ks.writer[i] = w.txn
		}
	}
}

func isPrefix(a, b []int64) bool {
	return len(a) <= len(b) && slices.Equal(a, b[:len(a)])
}

// markObserved puts into the graph the indeterminate transactions whose
// appends to ks were read.
func (c *checker) markObserved(ks *keyState) {
	mark := func(v int64) {
		if w, ok := ks.writes[v]; ok && c.txns[w.txn].Status == history.Info {
			c.inGraph[w.txn] = true
		}
	}
	if !ks.broken {
		for _, v := range ks.order {
			mark(v)
		}
		return
	}
	for _, r := range ks.reads {
		for _, v := range r.list {
			mark(v)
		}
	}
}
