package elle

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		kinds []kind
		want  string
	}{
		{[]kind{ww, ww}, "G0"},
		{[]kind{ww, wr}, "G1c"},
		{[]kind{rw, ww}, "G-single"},
		{[]kind{rw, wr, rw, wr}, "G-nonadjacent-item"},
		{[]kind{wr, rw, ww, rw}, "G-nonadjacent-item"},
		{[]kind{rw, wr, rw, wr, rw, ww}, "G-nonadjacent-item"},
		{[]kind{rw, rw}, "G2-item"},
		{[]kind{rw, rw, wr, rw}, "G2-item"},
		// Adjacency is cyclic: the last edge is followed by the first.
		{[]kind{rw, wr, rw, wr, rw}, "G2-item"},
		{[]kind{rw, proc, rw, wr}, "G-nonadjacent-item-process"},
		{[]kind{rw, rt, rw, proc}, "G-nonadjacent-item-realtime"},
		{[]kind{rw, rw, rt}, "G2-item-realtime"},
	}
	for _, c := range cases {
		es := make([]edge, len(c.kinds))
		for i, k := range c.kinds {
			es[i] = edge{kind: k}
		}
		if got := classify(es); got != c.want {
			t.Errorf("classify(%v) = %s, want %s", c.kinds, got, c.want)
		}
	}
}

// TestCycleEvidence: every step of the long fork's cycle names its kind,
// its key and the reads and appends behind it.
func TestCycleEvidence(t *testing.T) {
	r := Check(longFork(), Options{Model: SnapshotIsolation})
	as := r.Anomalies["G-nonadjacent-item"]
	if r.Status != Invalid || len(as) != 1 {
		t.Fatalf("%s %v, want invalid with one G-nonadjacent-item", r.Status, r.Counts)
	}
	a := as[0]
	why := map[string]string{}
	for i, st := range a.Steps {
		from, to := a.Txns[i].ID, a.Txns[(i+1)%len(a.Txns)].ID
		if st.Key == nil {
			t.Fatalf("step %d has no key: %+v", i, st)
		}
		why[fmt.Sprintf("%s %d%d", st.Kind, from, to)] = st.Why
	}
	want := map[string]string{
		"wr 01": "T1 read key 1 = [1], holding T0's append of 1",
		"rw 12": "T1 read key 2 = [], missing T2's append of 1",
		"wr 23": "T3 read key 2 = [1], holding T2's append of 1",
		"rw 30": "T3 read key 1 = [], missing T0's append of 1",
	}
	if len(why) != len(want) {
		t.Fatalf("steps %+v, want %v", a.Steps, want)
	}
	for k, w := range want {
		if why[k] != w {
			t.Errorf("step %s: why %q, want %q", k, why[k], w)
		}
		if !strings.Contains(a.Explanation, w) {
			t.Errorf("explanation %q lacks %q", a.Explanation, w)
		}
	}
	if !strings.Contains(a.Explanation, "2 anti-dependencies (rw), no two adjacent") {
		t.Errorf("explanation %q does not say why the cycle is G-nonadjacent-item", a.Explanation)
	}
	b, _ := json.Marshal(a.Steps[0])
	if !strings.Contains(string(b), `"why":`) {
		t.Errorf("step JSON %s has no why", b)
	}
	t.Log(a.Explanation)
}

// TestWriteWriteEvidence explains ww edges by the version order: T1's
// append to x, which no read observed, follows T0's.
func TestWriteWriteEvidence(t *testing.T) {
	txns := []Txn{
		ok(0, 0, 10, app(x, 1), app(y, 2)),
		ok(1, 0, 10, app(x, 2), app(y, 1)),
		ok(2, 20, 30, rd(x, 1), rd(y, 1, 2)),
	}
	r := Check(txns, Options{Model: ReadUncommitted})
	if len(r.Anomalies["G0"]) != 1 {
		t.Fatalf("%v, want one G0", r.Counts)
	}
	for _, w := range []string{
		"T1's append of 2 to key 1, which no read observed, follows every observed one, T0's 1 among them",
		"key 2's version order [1 2] has T1's append of 1 before T0's of 2",
	} {
		if e := r.Anomalies["G0"][0].Explanation; !strings.Contains(e, w) {
			t.Errorf("explanation %q lacks %q", e, w)
		}
	}
}

// TestOrderEvidence explains process and real-time edges by the sessions
// and times behind them.
func TestOrderEvidence(t *testing.T) {
	for _, c := range []struct {
		typ, want string
		p1        int
	}{
		{"G-nonadjacent-item-process", "process 0 ran T0, then T1", 0},
		{"G-nonadjacent-item-realtime", "T0 completed (at 10) before T1 was invoked (at 20)", 3},
	} {
		r := Check(forkThroughOrder(c.p1), Options{Model: StrictSerializable})
		if as := r.Anomalies[c.typ]; len(as) == 0 || !strings.Contains(as[0].Explanation, c.want) {
			t.Errorf("%s: %+v, want an explanation with %q", c.typ, as, c.want)
		}
	}
}
