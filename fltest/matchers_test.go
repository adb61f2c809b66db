package fltest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

const sec = int64(time.Second)

func op(t int64, typ history.Type, p int, node string, v int64) history.Event {
	b, _ := json.Marshal(v)
	return history.Event{Time: t, Process: p, Type: typ, F: "add", Value: b, Node: node}
}

func probe(t int64, node string, writable bool) history.Event {
	role := "replica"
	if writable {
		role = "primary"
	}
	return history.Event{Time: t, Process: history.ProcessProbe, Type: history.Probe, Node: node,
		Probe: &history.ProbeEvent{Node: node, Reachable: true, Writable: writable, Role: role}}
}

// judged runs the real checkers on a small ledger history: value 2 is
// acknowledged at 1.2 s on n1 and missing from every node at the end, and
// n1 and n2 are both writable primaries from 1 s to 3 s.
func judged(t *testing.T) []verify.Verdict {
	t.Helper()
	evs := []history.Event{
		op(sec/2, history.Invoke, 1, "n1", 1), op(sec/2+sec/10, history.OK, 1, "n1", 1),
		op(sec+sec/10, history.Invoke, 1, "n1", 2), op(sec+sec/5, history.OK, 1, "n1", 2),
	}
	for ts := int64(0); ts <= 4*sec; ts += sec / 2 {
		split := ts >= sec && ts <= 3*sec
		evs = append(evs, probe(ts, "n1", true), probe(ts, "n2", split), probe(ts, "n3", false))
	}
	for i := range evs {
		evs[i].Index = int64(i)
	}
	final := &history.Final{Workload: "ledger", Time: 5 * sec, Converged: true, Nodes: []history.FinalNode{
		{Node: "n1", Reachable: true, Ledger: []int64{1}}, {Node: "n2", Reachable: true, Ledger: []int64{1}},
		{Node: "n3", Reachable: true, Ledger: []int64{1}},
	}}
	in := &verify.Input{Events: evs, Final: final}
	return verify.RunAll(context.Background(), in, verify.Checkers("ledger", []string{verify.NameLostWrites, verify.NameSplitBrain}), time.Minute)
}

// A failing matcher's message shows the evidence: the lost write with its
// acknowledgement time, the split-brain interval and nodes.
func TestMatcherFailuresShowTheEvidence(t *testing.T) {
	vs := judged(t)
	m := HaveNoLostWrites()
	if ok, err := m.Match(vs); ok || err != nil {
		t.Fatalf("HaveNoLostWrites matched a lost write: %v %v", ok, err)
	}
	msg := m.FailureMessage(vs)
	for _, want := range []string{"Expected the run to have no lost writes", "lost-writes invalid", "value", "ackTime", "1.200s", "n1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lost-writes message lacks %q:\n%s", want, msg)
		}
	}
	m = HaveNoSplitBrain()
	if ok, _ := m.Match(vs); ok {
		t.Fatalf("HaveNoSplitBrain matched two writable primaries")
	}
	msg = m.FailureMessage(vs)
	for _, want := range []string{"split-brain invalid", "writable-primaries", "n1", "n2", "start", "end"} {
		if !strings.Contains(msg, want) {
			t.Errorf("split-brain message lacks %q:\n%s", want, msg)
		}
	}
	if ok, _ := BeValid().Match(vs); ok {
		t.Fatal("BeValid matched an invalid run")
	}
}

func TestWindowMatchers(t *testing.T) {
	thr := 5 * sec
	vs := []verify.Verdict{{Check: verify.NameRTO, Status: verify.Valid, Windows: []verify.Window{
		{Fault: "step-1", Kind: "podKill", Metric: "rto", Value: 4 * sec, Threshold: &thr, Status: verify.Valid},
		{Fault: "step-1", Kind: "podKill", Metric: "rto-client", Value: 9 * sec, Status: verify.Measured},
	}}, {Check: verify.NameRPO, Status: verify.Measured, Windows: []verify.Window{
		{Fault: "step-1", Kind: "podKill", Metric: "rpo", Value: 0, Status: verify.Measured},
	}}}
	if ok, _ := HaveRTOWithin(5 * time.Second).Match(vs); !ok {
		t.Error("rto 4s not within 5s")
	}
	m := HaveRTOWithin(3 * time.Second)
	if ok, _ := m.Match(vs); ok {
		t.Fatal("rto 4s within 3s")
	}
	if msg := m.FailureMessage(vs); !strings.Contains(msg, "window step-1 podKill rto: 4.0s (threshold 3.0s)") {
		t.Errorf("rto message:\n%s", msg)
	}
	if ok, _ := HaveRPOWithin(0).Match(vs); !ok {
		t.Error("rpo 0 not within 0")
	}
	if ok, _ := BeValid().Match(vs); !ok {
		t.Error("valid and measured checks: BeValid failed")
	}
	if _, err := BeValid().Match(42); err == nil {
		t.Error("BeValid accepted an int")
	}
}
