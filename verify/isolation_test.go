package verify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
)

// txnEvents is one list-append transaction as history events: an invoke
// (reads null) at inv and an ok completion at comp.
func txnEvents(p int, inv, comp int64, okValue string) []history.Event {
	return []history.Event{
		{Time: inv, Process: p, Type: history.Invoke, F: "txn", Value: json.RawMessage(invokeValue(okValue))},
		{Time: comp, Process: p, Type: history.OK, F: "txn", Value: json.RawMessage(okValue)},
	}
}

// invokeValue nulls the reads of an ok value: [["r",1,[1,2]]] → [["r",1,null]].
func invokeValue(okValue string) string {
	var ops []history.MicroOp
	if err := json.Unmarshal([]byte(okValue), &ops); err != nil {
		panic(err)
	}
	for i := range ops {
		ops[i].L = nil
	}
	b, _ := json.Marshal(ops)
	return string(b)
}

// sequence orders the events by time and numbers them.
func sequence(groups ...[]history.Event) []history.Event {
	var out []history.Event
	for _, g := range groups {
		out = append(out, g...)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Time < out[j-1].Time; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	for i := range out {
		out[i].Index = int64(i)
	}
	return out
}

// readSkew is a G-single: T0 sees y=[1] from T1 but not T1's x=[1].
func readSkew() []history.Event {
	return sequence(
		txnEvents(0, 0, 10, `[["r",1,[]],["r",2,[1]]]`),
		txnEvents(1, 0, 10, `[["append",1,1],["append",2,1]]`),
	)
}

func TestIsolationValid(t *testing.T) {
	events := sequence(
		txnEvents(0, 0, 10, `[["append",1,1]]`),
		txnEvents(1, 5, 15, `[["r",1,[1]],["append",2,1]]`),
		txnEvents(0, 20, 30, `[["r",1,[1]],["r",2,[1]]]`),
	)
	v := Isolation{}.Check(t.Context(), &Input{Events: events, Model: "strict-serializable"})
	if v.Check != "isolation" || v.Status != Valid {
		t.Fatalf("got %+v, want valid isolation verdict", v)
	}
	if !strings.Contains(v.Summary, "3 transactions checked under strict-serializable") {
		t.Errorf("summary %q", v.Summary)
	}
}

func TestIsolationModelSelection(t *testing.T) {
	in := &Input{Events: readSkew(), Dir: t.TempDir()}
	v := Isolation{}.Check(t.Context(), in)
	if v.Status != Invalid || v.Summary != "G-single ×1 under serializable" {
		t.Fatalf("default model: %s %q, want invalid G-single under serializable", v.Status, v.Summary)
	}
	if len(v.Artifacts) != 1 {
		t.Errorf("artifacts %v, want %s", v.Artifacts, ArtifactIsolation)
	} else if b, err := os.ReadFile(filepath.Join(in.Dir, v.Artifacts[0])); err != nil || !strings.Contains(string(b), `"G-single"`) {
		t.Errorf("artifact: %v %.200s", err, b)
	}
	var ev isolationEvidence
	if err := json.Unmarshal(v.Evidence, &ev); err != nil {
		t.Fatal(err)
	}
	cycle := ev.Anomalies["G-single"][0]
	if len(cycle.Txns) != 2 || len(cycle.Steps) != 2 {
		t.Errorf("evidence cycle %+v, want two transactions and two steps", cycle)
	}
	in.Model = "read-committed"
	if v := (Isolation{}).Check(t.Context(), in); v.Status != Valid || !strings.Contains(v.Summary, "allowed: G-single ×1") {
		t.Errorf("under read-committed: %s %q, want valid with G-single allowed", v.Status, v.Summary)
	}
	if v := (Isolation{Model: "snapshot-isolation"}).Check(t.Context(), in); v.Status != Invalid {
		t.Errorf("Isolation.Model snapshot-isolation: %s, want invalid", v.Status)
	}
}

// TestIsolationFinalReads: two appends no client read back, ordered against
// real time only by the final state.
func TestIsolationFinalReads(t *testing.T) {
	events := sequence(
		txnEvents(0, 0, 10, `[["append",1,1]]`),
		txnEvents(1, 20, 30, `[["append",1,2]]`),
	)
	final := &history.Final{Workload: "list-append", Time: 100, Converged: true, Nodes: []history.FinalNode{
		{Node: "n1", Reachable: true, Lists: map[int64][]int64{1: {2, 1}}},
		{Node: "n2", Reachable: false},
	}}
	in := &Input{Events: events, Final: final, Model: "strict-serializable"}
	if v := (Isolation{}).Check(t.Context(), in); v.Status != Invalid || !strings.Contains(v.Summary, "G0-realtime") {
		t.Errorf("with final lists [2 1]: %s %q, want invalid G0-realtime", v.Status, v.Summary)
	}
	final.Converged = false
	if v := (Isolation{}).Check(t.Context(), in); v.Status != Valid {
		t.Errorf("final state not converged: %s %q, want valid (final lists ignored)", v.Status, v.Summary)
	}
}

func TestIsolationUnknown(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cases := map[string]struct {
		ctx   context.Context
		in    *Input
		model string
	}{
		"cancelled":       {ctx: ctx, in: &Input{Events: readSkew()}},
		"no transactions": {ctx: t.Context(), in: &Input{}},
		"unknown model":   {ctx: t.Context(), in: &Input{Events: readSkew()}, model: "eventual"},
		"unpaired": {ctx: t.Context(), in: &Input{Events: []history.Event{
			{Process: 0, Type: history.OK, F: "txn", Value: json.RawMessage(`[["append",1,1]]`)}}}},
	}
	for name, tc := range cases {
		if v := (Isolation{Model: tc.model}).Check(tc.ctx, tc.in); v.Status != Unknown {
			t.Errorf("%s: %s %q, want unknown", name, v.Status, v.Summary)
		}
	}
}
