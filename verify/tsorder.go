package verify

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"faultline.dev/faultline/history"
)

// TimestampOrder compares the NOW(6) stamps the ledger's rows got on the
// node that executed each INSERT with the real-time order of the writes on
// the harness clock. An inversion is a pair where write a was acknowledged
// before write b was invoked, yet ts(a) > ts(b): a clock ran ahead (or
// behind) far enough to reorder causally ordered writes. Every pair is
// counted (an O(n log n) sweep, not a scan of all pairs), with the largest
// ts(a) − ts(b), examples and, per node, how many pairs it wrote the early
// (stamped too late) or the late (stamped too early) side of.
//
// With a timestampOrder threshold (inversions allowed, e.g. 0) it judges:
// more inversions are invalid. Without one it is Measured, as rpo is: the
// count is shown and never makes the verdict; clocks that disagree are a
// property of the hosts, not a fault of the database.
type TimestampOrder struct{}

// maxTSExamples bounds the examples in the evidence.
const maxTSExamples = 10

// Name is "timestamp-order".
func (TimestampOrder) Name() string { return NameTimestampOrder }

// Check counts the inversions.
func (c TimestampOrder) Check(ctx context.Context, in *Input) Verdict {
	th := in.Thresholds.TimestampOrder
	ws, nodes := stampedWrites(in)
	if len(ws) == 0 {
		return c.noStamps(th != nil)
	}
	res, err := countInversions(ctx, ws, len(nodes), maxTSExamples)
	if err != nil {
		return cancelled(c.Name(), ctx)
	}
	ev := tsEvidence(ws, nodes, res, th)
	v := Verdict{Check: c.Name(), Status: Measured, Evidence: toJSON(ev),
		Summary: fmt.Sprintf("%d timestamp inversions among %d stamped writes%s", res.total, len(ws), tsLargest(ev))}
	switch {
	case th == nil:
	case res.total > int64(*th):
		v.Status = Invalid
		v.Summary += fmt.Sprintf("; more than the %d allowed", *th)
	default:
		v.Status = Valid
	}
	return v
}

func (c TimestampOrder) noStamps(judged bool) Verdict {
	v := Verdict{Check: c.Name(), Status: Measured,
		Summary: "no NOW(6) stamps in the final read (a ledger table without ts, or no node answered)"}
	if judged {
		v.Status = Unknown
	}
	return v
}

func tsLargest(ev tsOrderEvidence) string {
	if ev.Inversions == 0 {
		return ""
	}
	return fmt.Sprintf(", largest %s (%s wrote the earlier write)", ev.Largest, ev.Examples[0].ANode)
}

// stampedWrites joins every attempted add with its row's stamp (from the
// first reachable node that holds the value) and names the nodes.
func stampedWrites(in *Input) ([]stampedWrite, []string) {
	idx := in.ledger()
	if idx == nil {
		return nil, nil
	}
	stamps := finalStamps(in.Final)
	var ws []stampedWrite
	nodeIdx := map[string]int{}
	var names []string
	s := idx.ops
	for _, a := range idx.adds {
		ts, ok := stamps[a.v]
		if !ok {
			continue
		}
		o := s.ops[a.op]
		name := s.node(o)
		if _, seen := nodeIdx[name]; !seen {
			nodeIdx[name] = len(names)
			names = append(names, name)
		}
		w := stampedWrite{value: a.v, node: nodeIdx[name], call: s.call(o), ret: math.MaxInt64, ts: ts}
		if s.typ(o) == history.OK {
			w.ret = s.ret(o)
		}
		ws = append(ws, w)
	}
	return ws, names
}

// finalStamps is each value's stamp, from the first reachable node that
// holds it (a replicated row carries its origin's stamp everywhere).
func finalStamps(f *history.Final) map[int64]int64 {
	out := map[int64]int64{}
	for _, n := range reachableNodes(f) {
		if len(n.LedgerTS) != len(n.Ledger) {
			continue
		}
		for i, v := range n.Ledger {
			if _, ok := out[v]; !ok {
				out[v] = n.LedgerTS[i]
			}
		}
	}
	return out
}

// tsOrderEvidence is the checker's evidence.
type tsOrderEvidence struct {
	Writes     int           `json:"writes"` // stamped writes compared
	Inversions int64         `json:"inversions"`
	Allowed    *int          `json:"allowed,omitempty"`
	Largest    string        `json:"largest,omitempty"` // ts(a) − ts(b) of the largest inversion
	LargestUS  int64         `json:"largestUs,omitempty"`
	Examples   []tsExample   `json:"examples,omitempty"` // the largest first, then the first found
	ByNode     []tsNodeCount `json:"byNode,omitempty"`
	Pairs      []tsPairCount `json:"pairs,omitempty"`
}

// tsExample is one inversion: write a, acknowledged before b was invoked,
// stamped later than b.
type tsExample struct {
	ANode       string `json:"aNode"`
	AValue      int64  `json:"aValue"`
	AInvokeTime int64  `json:"aInvokeTime"`
	AAckTime    int64  `json:"aAckTime"`
	AStamp      string `json:"aStamp"`
	BNode       string `json:"bNode"`
	BValue      int64  `json:"bValue"`
	BInvokeTime int64  `json:"bInvokeTime"`
	BStamp      string `json:"bStamp"`
	Ahead       string `json:"ahead"` // ts(a) − ts(b)
}

// tsNodeCount: in how many inversions a node wrote the earlier write (its
// stamp too late: a clock ahead) and the later one (too early: behind).
type tsNodeCount struct {
	Node    string `json:"node"`
	Writes  int    `json:"writes"`
	Earlier int64  `json:"earlier"`
	Later   int64  `json:"later"`
}

// tsPairCount is the inversions between the writes of two nodes.
type tsPairCount struct {
	EarlierNode string `json:"earlierNode"`
	LaterNode   string `json:"laterNode"`
	Count       int64  `json:"count"`
}

func tsEvidence(ws []stampedWrite, nodes []string, res inversionCount, th *int) tsOrderEvidence {
	ev := tsOrderEvidence{Writes: len(ws), Inversions: res.total, Allowed: th}
	if res.total > 0 {
		ev.LargestUS = res.size
		ev.Largest = (time.Duration(res.size) * time.Microsecond).String()
		ev.Examples = append(ev.Examples, example(ws, nodes, res.largest))
		for _, inv := range res.examples {
			if inv != res.largest {
				ev.Examples = append(ev.Examples, example(ws, nodes, inv))
			}
		}
	}
	ev.ByNode, ev.Pairs = nodeCounts(ws, nodes, res.pairs)
	return ev
}

func example(ws []stampedWrite, nodes []string, inv tsInversion) tsExample {
	a, b := ws[inv.a], ws[inv.b]
	return tsExample{ANode: nodes[a.node], AValue: a.value, AInvokeTime: a.call, AAckTime: a.ret, AStamp: stamp(a.ts),
		BNode: nodes[b.node], BValue: b.value, BInvokeTime: b.call, BStamp: stamp(b.ts),
		Ahead: (time.Duration(a.ts-b.ts) * time.Microsecond).String()}
}

func stamp(us int64) string { return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000000Z") }

func nodeCounts(ws []stampedWrite, nodes []string, pairs [][]int64) ([]tsNodeCount, []tsPairCount) {
	by := make([]tsNodeCount, len(nodes))
	for i, n := range nodes {
		by[i].Node = n
	}
	for _, w := range ws {
		by[w.node].Writes++
	}
	var ps []tsPairCount
	for i := range pairs {
		for j, c := range pairs[i] {
			by[i].Earlier += c
			by[j].Later += c
			if c > 0 {
				ps = append(ps, tsPairCount{EarlierNode: nodes[i], LaterNode: nodes[j], Count: c})
			}
		}
	}
	slices.SortFunc(by, func(x, y tsNodeCount) int { return cmpString(x.Node, y.Node) })
	return by, ps
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
