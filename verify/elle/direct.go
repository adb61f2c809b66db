package elle

import (
	"fmt"

	"faultline.dev/faultline/history"
)

// checkPrefixReads finds garbage and aborted reads of a key whose reads are
// all prefixes of its (duplicate-free) order: a read contains the first bad
// element of the order exactly when it is longer than that element's position.
func (c *checker) checkPrefixReads(ks *keyState) {
	garbage, aborted := len(ks.order), len(ks.order)
	for i, w := range ks.writer {
		if w < 0 && garbage == len(ks.order) {
			garbage = i
		}
		if w >= 0 && c.txns[w].Status == history.Fail && aborted == len(ks.order) {
			aborted = i
		}
	}
	for _, r := range ks.reads {
		if garbage < len(r.list) {
			c.garbageRead(ks, r, ks.order[garbage])
		}
		if aborted < len(r.list) {
			c.abortedRead(ks, r, ks.order[aborted])
		}
	}
}

// checkEachRead checks every read of a key with incompatible orders on its own.
func (c *checker) checkEachRead(ks *keyState) {
	for _, r := range ks.reads {
		seen := make(map[int64]bool, len(r.list))
		var dup, garbage, aborted *int64
		for _, v := range r.list {
			if seen[v] && dup == nil {
				dup = ptr(v)
			}
			seen[v] = true
			w, ok := ks.writes[v]
			if !ok && garbage == nil {
				garbage = ptr(v)
			}
			if ok && c.txns[w.txn].Status == history.Fail && aborted == nil {
				aborted = ptr(v)
			}
		}
		if dup != nil {
			c.rep.add("duplicate-elements", func() Anomaly {
				return Anomaly{Type: "duplicate-elements", Key: ptr(ks.key), Txns: []TxnRef{c.ref(r.txn)},
					Read: r.list, Element: dup,
					Explanation: fmt.Sprintf("T%d read key %d = %s, which holds %d more than once", r.txn, ks.key, short(r.list), *dup)}
			})
		}
		if garbage != nil {
			c.garbageRead(ks, r, *garbage)
		}
		if aborted != nil {
			c.abortedRead(ks, r, *aborted)
		}
	}
}

func (c *checker) garbageRead(ks *keyState, r readRef, v int64) {
	c.rep.add("garbage-read", func() Anomaly {
		return Anomaly{Type: "garbage-read", Key: ptr(ks.key), Txns: []TxnRef{c.ref(r.txn)}, Read: r.list, Element: ptr(v),
			Explanation: fmt.Sprintf("T%d read key %d = %s, whose element %d no transaction appended", r.txn, ks.key, short(r.list), v)}
	})
}

func (c *checker) abortedRead(ks *keyState, r readRef, v int64) {
	w := ks.writes[v].txn
	c.rep.add("G1a", func() Anomaly {
		return Anomaly{Type: "G1a", Key: ptr(ks.key), Txns: []TxnRef{c.ref(w), c.ref(r.txn)}, Read: r.list, Element: ptr(v),
			Explanation: fmt.Sprintf("T%d read key %d = %s, whose element %d was appended by T%d, which failed", r.txn, ks.key, short(r.list), v, w)}
	})
}

// direct finds intermediate reads, internal inconsistencies and lost updates.
func (c *checker) direct() error {
	for _, ks := range c.keys {
		if err := c.tick(); err != nil {
			return err
		}
		c.intermediateReads(ks)
	}
	lost := map[[2]int64][]int32{}
	for id := range c.txns {
		if err := c.tick(); err != nil {
			return err
		}
		if c.txns[id].Status == history.OK {
			c.internal(int32(id))
			c.externalWrites(int32(id), lost)
		}
	}
	c.lostUpdates(lost)
	return nil
}

// intermediateReads finds reads ending in a version its writer overwrote
// within the same transaction (G1b).
func (c *checker) intermediateReads(ks *keyState) {
	for _, r := range ks.reads {
		if len(r.list) == 0 {
			continue
		}
		v := r.list[len(r.list)-1]
		w, ok := ks.writes[v]
		if !ok || w.last || w.txn == r.txn || c.txns[w.txn].Status == history.Fail {
			continue
		}
		c.rep.add("G1b", func() Anomaly {
			return Anomaly{Type: "G1b", Key: ptr(ks.key), Txns: []TxnRef{c.ref(w.txn), c.ref(r.txn)}, Read: r.list, Element: ptr(v),
				Explanation: fmt.Sprintf("T%d read key %d = %s, ending in %d, an intermediate version: T%d appended to key %d again after %d",
					r.txn, ks.key, short(r.list), v, w.txn, ks.key, v)}
		})
	}
}
