package verify

import (
	"context"
	"testing"

	"faultline.dev/faultline/history"
)

// epochUS is the stamps' origin in the tests: µs since the epoch at t=0.
const epochUS = 1_796_000_000_000_000

// stamped is a ledger add and the stamp its row got, in seconds after t=0.
type stamped struct {
	node      string
	v         int64
	call, ret float64
	typ       history.Type
	ts        float64
}

// tsRun builds the history and a final read on one node holding every
// stamped value (ts < 0: the value is not there).
func tsRun(ws []stamped) (*hist, *history.Final) {
	h := &hist{}
	fn := history.FinalNode{Node: "n1", Reachable: true}
	for i, w := range ws {
		h.add(i, w.node, w.v, w.call, w.typ, w.ret)
		if w.ts >= 0 {
			fn.Ledger = append(fn.Ledger, w.v)
			fn.LedgerTS = append(fn.LedgerTS, epochUS+int64(w.ts*1e6))
		}
	}
	return h, &history.Final{Workload: "ledger", Nodes: []history.FinalNode{fn}}
}

func checkTS(t *testing.T, ws []stamped, th *int) (Verdict, tsOrderEvidence) {
	t.Helper()
	h, f := tsRun(ws)
	v := TimestampOrder{}.Check(context.Background(), &Input{Events: h.events(), Final: f, Thresholds: Thresholds{TimestampOrder: th}})
	if v.Evidence == nil {
		return v, tsOrderEvidence{}
	}
	return v, evidence[tsOrderEvidence](t, v)
}

// aheadHistory: n2's clock is about a second ahead. a and d (n2) were
// acknowledged before b, c, e, f and g were invoked but carry later
// stamps: a inverts with b, c, e, f, g and d with e, f, g — 8 pairs. e and f
// overlap (not ordered); g never completed (it can only be the later write);
// h failed and is absent.
func aheadHistory() []stamped {
	return []stamped{
		{"n2", 1, 0.0, 0.1, history.OK, 1.05},
		{"n1", 2, 0.2, 0.3, history.OK, 0.25},
		{"n1", 3, 0.4, 0.5, history.OK, 0.45},
		{"n2", 4, 0.6, 0.7, history.OK, 1.70},
		{"n3", 5, 0.8, 0.9, history.OK, 0.85},
		{"n3", 6, 0.85, 0.95, history.OK, 0.90},
		{"n1", 7, 1.0, 0, never, 1.02},
		{"n1", 8, 1.1, 1.2, history.Fail, -1},
	}
}

func TestTimestampOrderCountsInversionsByNode(t *testing.T) {
	v, ev := checkTS(t, aheadHistory(), nil)
	if v.Status != Measured || ev.Inversions != 8 || ev.Writes != 7 {
		t.Fatalf("status %s, %d inversions among %d writes; want measured, 8 among 7: %s", v.Status, ev.Inversions, ev.Writes, v.Summary)
	}
	want := map[string][2]int64{"n1": {0, 4}, "n2": {8, 0}, "n3": {0, 4}} // earlier, later
	for _, n := range ev.ByNode {
		if got := [2]int64{n.Earlier, n.Later}; got != want[n.Node] {
			t.Errorf("%s: earlier/later %v, want %v", n.Node, got, want[n.Node])
		}
	}
	if ev.LargestUS != 850_000 || ev.Examples[0].AValue != 4 || ev.Examples[0].BValue != 5 {
		t.Errorf("largest %dµs between %d and %d; want 850ms between 4 (n2) and 5 (n3)", ev.LargestUS, ev.Examples[0].AValue, ev.Examples[0].BValue)
	}
	if ex := ev.Examples[0]; ex.ANode != "n2" || ex.AAckTime != sec(0.7) || ex.BInvokeTime != sec(0.8) || ex.Ahead != "850ms" {
		t.Errorf("example %+v", ex)
	}
}

func TestTimestampOrderThreshold(t *testing.T) {
	eight, seven := 8, 7
	if v, _ := checkTS(t, aheadHistory(), &eight); v.Status != Valid {
		t.Errorf("8 inversions, 8 allowed: %s (%s)", v.Status, v.Summary)
	}
	if v, _ := checkTS(t, aheadHistory(), &seven); v.Status != Invalid {
		t.Errorf("8 inversions, 7 allowed: %s (%s)", v.Status, v.Summary)
	}
}

// A run whose clocks agree: sequential and overlapping writes on three
// nodes, stamps inside their invoke..ack intervals.
func TestTimestampOrderNoneWhenClocksAgree(t *testing.T) {
	var ws []stamped
	for i := range 30 {
		call := float64(i) * 0.1
		ws = append(ws, stamped{[]string{"n1", "n2", "n3"}[i%3], int64(i + 1), call, call + 0.15, history.OK, call + 0.14})
	}
	zero := 0
	v, ev := checkTS(t, ws, &zero)
	if v.Status != Valid || ev.Inversions != 0 || len(ev.Examples) != 0 || ev.Writes != 30 {
		t.Fatalf("status %s, %d inversions, %d examples, %d writes: %s", v.Status, ev.Inversions, len(ev.Examples), ev.Writes, v.Summary)
	}
}

func TestTimestampOrderWithoutStamps(t *testing.T) {
	h, f := tsRun(aheadHistory())
	f.Nodes[0].LedgerTS = nil // a run recorded before the ts column
	if v := (TimestampOrder{}).Check(context.Background(), &Input{Events: h.events(), Final: f}); v.Status != Measured {
		t.Errorf("no stamps, no threshold: %s, want measured", v.Status)
	}
	zero := 0
	if v := (TimestampOrder{}).Check(context.Background(), &Input{Events: h.events(), Final: f, Thresholds: Thresholds{TimestampOrder: &zero}}); v.Status != Unknown {
		t.Errorf("no stamps, a threshold: %s, want unknown", v.Status)
	}
}

// The sweep against the definition, every pair, on random histories.
func TestTimestampOrderMatchesAllPairs(t *testing.T) {
	for seed := range 50 {
		rng := rngFor(seed)
		n := 1 + rng.IntN(60)
		ws := make([]stampedWrite, n)
		for i := range ws {
			call := rng.Int64N(1000)
			ws[i] = stampedWrite{value: int64(i), node: rng.IntN(3), call: call, ret: call + rng.Int64N(50), ts: rng.Int64N(1100)}
			if rng.IntN(5) == 0 {
				ws[i].ret = 1<<63 - 1
			}
		}
		res, err := countInversions(context.Background(), ws, 3, 5)
		if err != nil {
			t.Fatal(err)
		}
		var want [3][3]int64
		var total, size int64
		for _, a := range ws {
			for _, b := range ws {
				if a.ret < b.call && a.ts > b.ts {
					want[a.node][b.node]++
					total++
					size = max(size, a.ts-b.ts)
				}
			}
		}
		if res.total != total || (total > 0 && res.size != size) {
			t.Fatalf("seed %d: %d inversions, largest %d; all pairs say %d, %d", seed, res.total, res.size, total, size)
		}
		for i := range 3 {
			for j := range 3 {
				if res.pairs[i][j] != want[i][j] {
					t.Fatalf("seed %d: pairs[%d][%d] = %d, want %d", seed, i, j, res.pairs[i][j], want[i][j])
				}
			}
		}
	}
}
