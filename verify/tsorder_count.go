package verify

import (
	"context"
	"slices"
)

// stampedWrite is one ledger add whose row holds the executing node's
// NOW(6): when the harness invoked it and saw it acknowledged, and the stamp.
type stampedWrite struct {
	value     int64
	node      int   // index into the node names
	call, ret int64 // harness ns since run start; ret is MaxInt64 when never acknowledged
	ts        int64 // µs since the epoch, the node's clock
}

// tsInversion is one pair: a was acknowledged before b was invoked, yet a's
// stamp is later than b's.
type tsInversion struct{ a, b int32 }

// inversionCount is what the sweep found.
type inversionCount struct {
	total    int64
	pairs    [][]int64 // pairs[i][j]: a written through node i, b through node j
	largest  tsInversion
	size     int64         // µs, ts(a) − ts(b) of largest
	examples []tsInversion // the first inversions met, by b's invoke time
}

// countInversions counts the pairs (a, b) with ret(a) < call(b) and
// ts(a) > ts(b) in O(n log n · nodes): b in invoke order, every a
// acknowledged before it inserted into a Fenwick tree of stamp ranks per
// node, the pairs of b counted as the inserted stamps above its own. The
// largest inversion of b is against the latest stamp inserted so far.
func countInversions(ctx context.Context, ws []stampedWrite, nodes, maxExamples int) (inversionCount, error) {
	byCall, byRet := orderBy(ws, func(w stampedWrite) int64 { return w.call }), acked(ws)
	ranks := stampRanks(ws)
	trees := make([]fenwick, nodes)
	for i := range trees {
		trees[i] = make(fenwick, len(ranks.sorted)+1)
	}
	res := inversionCount{pairs: make([][]int64, nodes)}
	for i := range res.pairs {
		res.pairs[i] = make([]int64, nodes)
	}
	latest := int32(-1) // the acknowledged write with the latest stamp so far
	j := 0
	for n, b := range byCall {
		if n%4096 == 0 && ctx.Err() != nil {
			return res, ctx.Err()
		}
		for ; j < len(byRet) && ws[byRet[j]].ret < ws[b].call; j++ {
			a := byRet[j]
			trees[ws[a].node].add(ranks.of(ws[a].ts))
			if latest < 0 || ws[a].ts > ws[latest].ts {
				latest = a
			}
		}
		res.countB(ws, trees, ranks.of(ws[b].ts), b, latest, maxExamples)
	}
	return res, nil
}

// countB adds b's inversions: per node of a, the stamps above b's.
func (r *inversionCount) countB(ws []stampedWrite, trees []fenwick, rank int, b, latest int32, maxExamples int) {
	if latest < 0 || ws[latest].ts <= ws[b].ts {
		return
	}
	for i, t := range trees {
		c := t.above(rank)
		r.pairs[i][ws[b].node] += c
		r.total += c
	}
	inv := tsInversion{a: latest, b: b}
	if size := ws[latest].ts - ws[b].ts; size > r.size {
		r.size, r.largest = size, inv
	}
	if len(r.examples) < maxExamples {
		r.examples = append(r.examples, inv)
	}
}

func orderBy(ws []stampedWrite, key func(stampedWrite) int64) []int32 {
	idx := make([]int32, len(ws))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(x, y int32) int { return cmpInt64(key(ws[x]), key(ws[y])) })
	return idx
}

// acked is the acknowledged writes in acknowledgement order.
func acked(ws []stampedWrite) []int32 {
	idx := orderBy(ws, func(w stampedWrite) int64 { return w.ret })
	n, _ := slices.BinarySearchFunc(idx, int64(1<<63-1), func(i int32, t int64) int { return cmpInt64(ws[i].ret, t) })
	return idx[:n]
}

// ranks maps stamps to 1-based ranks among the distinct stamps.
type ranks struct{ sorted []int64 }

func stampRanks(ws []stampedWrite) ranks {
	s := make([]int64, len(ws))
	for i, w := range ws {
		s[i] = w.ts
	}
	slices.Sort(s)
	return ranks{sorted: slices.Compact(s)}
}

func (r ranks) of(ts int64) int {
	i, _ := slices.BinarySearch(r.sorted, ts)
	return i + 1
}

// fenwick counts inserted ranks; index 0 is unused.
type fenwick []int64

func (f fenwick) add(i int) {
	for ; i < len(f); i += i & -i {
		f[i]++
	}
}

// upTo is how many inserted ranks are ≤ i.
func (f fenwick) upTo(i int) int64 {
	var s int64
	for ; i > 0; i -= i & -i {
		s += f[i]
	}
	return s
}

// above is how many inserted ranks are > i.
func (f fenwick) above(i int) int64 { return f.upTo(len(f)-1) - f.upTo(i) }
