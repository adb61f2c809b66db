package elle

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
)

func event(i int64, p int, typ history.Type, value string) history.Event {
	e := history.Event{Index: i, Time: i * 10, Process: p, Type: typ, F: FuncTxn}
	if value != "" {
		e.Value = json.RawMessage(value)
	}
	return e
}

func TestFromHistoryPairsPerProcess(t *testing.T) {
	events := []history.Event{
		event(0, 0, history.Invoke, `[["append",1,1],["r",1,null]]`),
		event(1, 1, history.Invoke, `[["append",1,2]]`),
		{Index: 2, Process: history.ProcessNemesis, Type: history.Fault},
		event(3, 0, history.OK, `[["append",1,1],["r",1,[1]]]`),
		event(4, 1, history.Fail, ""),
		event(5, 1, history.Invoke, `[["append",2,3]]`),
		event(6, 1, history.Info, ""),
		event(7, 0, history.Invoke, `[["r",2,null]]`),
	}
	txns, err := FromHistory(events)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		p        int
		status   history.Type
		inv, cmp int64
		read     []int64
	}{
		{0, history.OK, 0, 3, []int64{1}},
		{1, history.Fail, 1, 4, nil},
		{1, history.Info, 5, 6, nil},
		{0, history.Info, 7, -1, nil},
	}
	if len(txns) != len(want) {
		t.Fatalf("got %d txns, want %d", len(txns), len(want))
	}
	for i, w := range want {
		got := txns[i]
		if got.Process != w.p || got.Status != w.status || got.InvokeIndex != w.inv || got.CompleteIndex != w.cmp {
			t.Errorf("txn %d = %+v, want %+v", i, got, w)
		}
		if w.read != nil && (len(got.Ops) != 2 || len(got.Ops[1].L) != 1) {
			t.Errorf("txn %d ops %+v: want the completion's read results", i, got.Ops)
		}
	}
}

func TestFromHistoryRejectsBadPairing(t *testing.T) {
	cases := map[string][]history.Event{
		"second invoke while outstanding": {
			event(0, 0, history.Invoke, `[["append",1,1]]`),
			event(1, 0, history.Invoke, `[["append",1,2]]`),
		},
		"completion without invoke": {event(0, 0, history.OK, `[["append",1,1]]`)},
		"undecodable value":         {event(0, 0, history.Invoke, `[["put",1,1]]`)},
	}
	for name, events := range cases {
		if _, err := FromHistory(events); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSearchBudgetMakesCleanResultUnknown(t *testing.T) {
	skew := anomalyCases[caseNamed("G2-item write skew")].txns
	r := Check(skew, Options{Model: Serializable, SearchBudget: 1})
	if r.Status != Unknown || len(r.Incomplete) == 0 {
		t.Fatalf("budget 1: %s incomplete=%v, want unknown", r.Status, r.Incomplete)
	}
	// No ww/wr cycle exists at all: nothing to search under read-committed.
	if r := Check(skew, Options{Model: ReadCommitted, SearchBudget: 1}); r.Status != Valid {
		t.Errorf("read-committed, budget 1: %s, want valid", r.Status)
	}
}

func TestUnknownModelAndEmptyHistory(t *testing.T) {
	if r := Check(nil, Options{Model: "eventual"}); r.Status != Unknown || !strings.Contains(r.Reason, "unknown model") {
		t.Errorf("unknown model: %+v", r)
	}
	if r := Check(nil, Options{}); r.Status != Unknown || r.Model != Serializable {
		t.Errorf("empty history: %+v", r)
	}
}

func TestShortList(t *testing.T) {
	if got := short([]int64{1, 2, 3}); got != "[1 2 3]" {
		t.Errorf("short list: %q", got)
	}
	long := make([]int64, 20)
	for i := range long {
		long[i] = int64(i)
	}
	if got, want := short(long), "[0 1 2 … (12 more) … 15 16 17 18 19]"; got != want {
		t.Errorf("long list: %q, want %q", got, want)
	}
}

// caseNamed finds an anomaly case by name.
func caseNamed(name string) int {
	for i, c := range anomalyCases {
		if c.name == name {
			return i
		}
	}
	panic("no case " + name)
}

func TestCheckContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	txns := serialHistory(rand.New(rand.NewPCG(1, 1)), genConfig{txns: 100, keys: 3, maxOps: 3})
	if _, err := CheckContext(ctx, txns, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
