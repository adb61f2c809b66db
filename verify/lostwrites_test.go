package verify

import (
	"context"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

func checkLost(t *testing.T, h *hist, f *history.Final) (Verdict, ledgerClasses) {
	t.Helper()
	v := LostWrites{}.Check(context.Background(), &Input{Events: h.events(), Final: f})
	if v.Status == Unknown {
		return v, ledgerClasses{}
	}
	return v, evidence[ledgerClasses](t, v)
}

// setHistory: 1–3 acknowledged, 4 indeterminate, 5 never completed, 6 failed.
func setHistory() *hist {
	h := &hist{}
	h.add(0, "n1", 1, 0.0, history.OK, 0.1)
	h.add(1, "n2", 2, 0.05, history.OK, 0.2)
	h.add(0, "n1", 3, 0.3, history.OK, 0.4)
	h.add(1, "n2", 4, 0.5, history.Info, 5.5)
	h.add(2, "n3", 5, 0.6, never, 0)
	h.add(0, "n1", 6, 0.7, history.Fail, 0.8)
	return h
}

func TestLostWritesValidWithRecoveredAndNeverRead(t *testing.T) {
	all := []int64{3, 1, 2, 4}
	v, cl := checkLost(t, setHistory(), ledgerFinal(map[string][]int64{"n1": all, "n2": all, "n3": all}))
	wantStatus(t, v, Valid)
	if cl.Acknowledged != 3 || cl.Stable != 3 || cl.Recovered != 1 || cl.NeverRead != 1 || cl.Failed != 1 || cl.Attempted != 6 {
		t.Fatalf("classes: %+v", cl)
	}
}

func TestLostWritesAcknowledgedAbsentIsLost(t *testing.T) {
	v, cl := checkLost(t, setHistory(), ledgerFinal(map[string][]int64{"n1": {1, 3}, "n2": {1, 2, 3}, "n3": {1, 2, 3}}))
	wantStatus(t, v, Invalid)
	if cl.LostCount != 1 || len(cl.Lost) != 1 {
		t.Fatalf("lost: %+v", cl)
	}
	l := cl.Lost[0]
	if l.Value != 2 || l.AckTime != sec(0.2) || l.InvokeTime != sec(0.05) || l.Process != 1 || l.Node != "n2" ||
		!slices.Equal(l.MissingOn, []string{"n1"}) {
		t.Fatalf("lost element: %+v", l)
	}
	if cl.Nodes[0].Node != "n1" || cl.Nodes[0].MissingAcked != 1 {
		t.Fatalf("per node: %+v", cl.Nodes)
	}
}

func TestLostWritesUnexpectedNeverAttemptedOrFailed(t *testing.T) {
	base := []int64{1, 2, 3}
	v, cl := checkLost(t, setHistory(), ledgerFinal(map[string][]int64{"n1": append(base, 99), "n2": append(base, 6), "n3": base}))
	wantStatus(t, v, Invalid)
	if cl.UnexpectedCount != 2 || cl.LostCount != 0 {
		t.Fatalf("classes: %+v", cl)
	}
	if u := cl.Unexpected[0]; u.Value != 6 || u.Attempted != "fail" || !slices.Equal(u.Nodes, []string{"n2"}) {
		t.Fatalf("failed-but-present: %+v", u)
	}
	if u := cl.Unexpected[1]; u.Value != 99 || u.Attempted != "" || !slices.Equal(u.Nodes, []string{"n1"}) {
		t.Fatalf("never attempted: %+v", u)
	}
}

// With replication the final primary is the authority: a replica that
// lacks a value is lagging, not losing it.
func TestLostWritesAuthorityIsFinalPrimary(t *testing.T) {
	h := setHistory()
	h.round(10, writable("n1"), replica("n2"), replica("n3"))
	v, cl := checkLost(t, h, ledgerFinal(map[string][]int64{"n1": {1, 2, 3}, "n2": {1, 2, 3}, "n3": {1, 3}}))
	wantStatus(t, v, Valid)
	if !slices.Equal(cl.Authority, []string{"n1"}) || cl.Nodes[2].MissingAcked != 1 || cl.Nodes[2].Authoritative {
		t.Fatalf("authority %v, nodes %+v", cl.Authority, cl.Nodes)
	}

	h = setHistory()
	h.round(10, writable("n1"), replica("n2"), replica("n3"))
	v, cl = checkLost(t, h, ledgerFinal(map[string][]int64{"n1": {1, 3}, "n2": {1, 2, 3}, "n3": {1, 2, 3}}))
	wantStatus(t, v, Invalid)
	if cl.LostCount != 1 || cl.Lost[0].Value != 2 {
		t.Fatalf("lost: %+v", cl.Lost)
	}
}

// Probes after the final read began do not pick the authority.
func TestLostWritesAuthorityUsesProbesBeforeFinalRead(t *testing.T) {
	h := setHistory()
	h.round(10, writable("n1"), replica("n2"))
	h.round(2000, replica("n1"), writable("n2"))
	_, cl := checkLost(t, h, ledgerFinal(map[string][]int64{"n1": {1, 2, 3}, "n2": {1, 2, 3}}))
	if !slices.Equal(cl.Authority, []string{"n1"}) {
		t.Fatalf("authority %v, want [n1]", cl.Authority)
	}
}

func TestLostWritesUnknownWithoutFinalRead(t *testing.T) {
	v, _ := checkLost(t, setHistory(), nil)
	wantStatus(t, v, Unknown)
	f := ledgerFinal(map[string][]int64{"n1": {1}})
	f.Nodes[0].Reachable = false
	v, _ = checkLost(t, setHistory(), f)
	wantStatus(t, v, Unknown)
}

func TestParseInt64(t *testing.T) {
	for in, want := range map[string]int64{"42": 42, "-7": -7, "0": 0, " 5": 5, "1e2": 0, "9223372036854775807": 1<<63 - 1} {
		got, ok := parseInt64([]byte(in))
		if in == "1e2" {
			if ok {
				t.Errorf("parseInt64(%q) accepted a float", in)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("parseInt64(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}
