package elle

import (
	"cmp"
	"slices"

	"faultline.dev/faultline/history"
)

// maxUnobservedEdges bounds, per key, the anti-dependency edges from readers
// of the last observed version to transactions whose appends no read
// observed (their number is the product of the two sets). Dropping edges
// can only hide anomalies, never invent them.
const maxUnobservedEdges = 1 << 16

// edges accumulates raw edges.
type edges struct {
	raw     []rawEdge
	inGraph []bool
}

func (es *edges) add(from, to int32, k kind, key int32) {
	if from < 0 || to < 0 || from == to || !es.inGraph[from] || !es.inGraph[to] {
		return
	}
	es.raw = append(es.raw, rawEdge{from: from, edge: edge{to: to, key: key, kind: k}})
}

// buildGraph infers ww, wr and rw edges from each key's version order, then
// adds process and real-time order.
func (c *checker) buildGraph() error {
	// Each micro-op gives about two data edges; each transaction a
	// process edge and a few real-time edges.
	es := &edges{inGraph: c.inGraph, raw: make([]rawEdge, 0, 2*c.ops+6*len(c.txns))}
	for i, ks := range c.keys {
		if err := c.tick(); err != nil {
			return err
		}
		if !ks.broken {
			c.keyEdges(es, int32(i), ks)
		}
	}
	byInvoke := c.invokeOrder()
	c.processEdges(es, byInvoke)
	if err := c.realtimeEdges(es, byInvoke); err != nil {
		return err
	}
	c.g = newGraph(len(c.txns), es.raw)
	return nil
}

// keyEdges adds the edges key ks implies. Versions whose writer is not in
// the graph (failed, or garbage) are skipped: the committed versions around
// them keep their order.
func (c *checker) keyEdges(es *edges, key int32, ks *keyState) {
	var gpos []int32 // positions of order written by graph transactions
	for i, w := range ks.writer {
		if w >= 0 && c.inGraph[w] {
			gpos = append(gpos, int32(i))
		}
	}
	for i := 1; i < len(gpos); i++ {
		es.add(ks.writer[gpos[i-1]], ks.writer[gpos[i]], ww, key)
	}
	unseen := c.unobserved(ks)
	if len(gpos) > 0 {
		for _, u := range unseen {
			es.add(ks.writer[gpos[len(gpos)-1]], u, ww, key)
		}
	}
	budget := maxUnobservedEdges
	for _, r := range ks.reads {
		next, _ := slices.BinarySearch(gpos, int32(len(r.list)))
		readEdge(es, key, ks, r, gpos[:next])
		if next < len(gpos) {
			es.add(r.txn, ks.writer[gpos[next]], rw, key)
			continue
		}
		if _, own := slices.BinarySearch(unseen, r.txn); own || budget < len(unseen) {
			continue // its own unobserved append may come first: the edge kind is unknown
		}
		budget -= len(unseen)
		for _, u := range unseen {
			es.add(r.txn, u, rw, key)
		}
	}
}

// readEdge adds the write-read edge of read r from the last writer before
// the reader's own trailing appends; seen are the graph positions r read.
func readEdge(es *edges, key int32, ks *keyState, r readRef, seen []int32) {
	j := len(seen) - 1
	for j >= 0 && ks.writer[seen[j]] == r.txn {
		j--
	}
	if j >= 0 {
		es.add(ks.writer[seen[j]], r.txn, wr, key)
	}
}

// unobserved lists the graph transactions with an append to ks that no read
// observed: committed, so after every observed element.
func (c *checker) unobserved(ks *keyState) []int32 {
	var out []int32
	for v, w := range ks.writes {
		if _, seen := ks.pos[v]; !seen && c.inGraph[w.txn] {
			out = append(out, w.txn)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// invokeOrder returns the graph transactions sorted by invoke time.
func (c *checker) invokeOrder() []int32 {
	var ids []int32
	for id, in := range c.inGraph {
		if in {
			ids = append(ids, int32(id))
		}
	}
	slices.SortStableFunc(ids, func(a, b int32) int { return cmp.Compare(c.txns[a].Invoke, c.txns[b].Invoke) })
	return ids
}

// processEdges links each committed transaction to the next transaction its
// process invoked. An indeterminate transaction may still commit later, so
// it precedes nothing.
func (c *checker) processEdges(es *edges, byInvoke []int32) {
	lastOK := map[int]int32{}
	for _, id := range byInvoke {
		t := &c.txns[id]
		if prev, ok := lastOK[t.Process]; ok {
			es.add(prev, id, proc, -1)
		}
		if t.Status == history.OK {
			lastOK[t.Process] = id
		}
	}
}
