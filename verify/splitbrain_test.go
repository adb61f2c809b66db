package verify

import (
	"context"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
)

func checkSplit(t *testing.T, h *hist, f *history.Final) (Verdict, splitBrainEvidence) {
	t.Helper()
	v := SplitBrain{}.Check(context.Background(), &Input{Events: h.events(), Final: f})
	if v.Status == Unknown {
		return v, splitBrainEvidence{}
	}
	return v, evidence[splitBrainEvidence](t, v)
}

func TestSplitBrainTwoWritablePrimaries(t *testing.T) {
	h := &hist{}
	h.round(1, writable("n1"), replica("n2"), replica("n3"))
	h.round(2, writable("n1"), writable("n2"), replica("n3"))
	h.round(3, writable("n1"), writable("n2"), replica("n3"))
	h.round(4, replica("n1"), writable("n2"), replica("n3"))
	v, ev := checkSplit(t, h, nil)
	wantStatus(t, v, Invalid)
	if len(ev.Probes.Incidents) != 1 {
		t.Fatalf("incidents: %+v", ev.Probes.Incidents)
	}
	inc := ev.Probes.Incidents[0]
	if inc.Kind != "writable-primaries" || inc.Rounds != 2 || inc.Start != sec(2) || inc.End != sec(3.002) ||
		!slices.Equal(inc.Nodes, []string{"n1", "n2"}) {
		t.Fatalf("incident: %+v", inc)
	}
}

// A failover after the old primary went down is not a split.
func TestSplitBrainCleanFailoverNotFlagged(t *testing.T) {
	h := &hist{}
	h.round(1, writable("n1"), replica("n2"), replica("n3"))
	h.round(2, down("n1"), replica("n2"), replica("n3"))
	h.round(3, down("n1"), writable("n2"), replica("n3"))
	h.round(4, replica("n1"), writable("n2"), replica("n3"))
	v, ev := checkSplit(t, h, nil)
	wantStatus(t, v, Valid)
	if ev.Probes.Rounds != 4 {
		t.Fatalf("rounds: %d", ev.Probes.Rounds)
	}
}

// An isolated Galera node keeps its old Primary view for a few seconds,
// then goes non-Primary: neither is a split.
func TestSplitBrainGaleraIsolatedMinorityNotFlagged(t *testing.T) {
	h := &hist{}
	h.round(1, galera("n1", "Primary", 3, 3), galera("n2", "Primary", 3, 3), galera("n3", "Primary", 3, 3))
	h.round(2, galera("n1", "Primary", 4, 2), galera("n2", "Primary", 4, 2), galera("n3", "Primary", 3, 3))
	h.round(3, galera("n1", "Primary", 4, 2), galera("n2", "Primary", 4, 2), galera("n3", "non-Primary", 4, 1))
	h.round(4, galera("n1", "Primary", 5, 3), galera("n2", "Primary", 5, 3), galera("n3", "Primary", 5, 3))
	v, ev := checkSplit(t, h, nil)
	wantStatus(t, v, Valid)
	if len(ev.Probes.Incidents) != 0 {
		t.Fatalf("incidents: %+v", ev.Probes.Incidents)
	}
}

func TestSplitBrainGaleraTwoPrimaryComponents(t *testing.T) {
	h := &hist{}
	h.round(1, galera("n1", "Primary", 4, 2), galera("n2", "Primary", 4, 2), galera("n3", "Primary", 5, 1))
	v, ev := checkSplit(t, h, nil)
	wantStatus(t, v, Invalid)
	if ev.Probes.Incidents[0].Kind != "primary-components" {
		t.Fatalf("incident: %+v", ev.Probes.Incidents[0])
	}

	// A node bootstrapped into a new cluster (another state UUID).
	h = &hist{}
	other := galera("n3", "Primary", 1, 3)
	other.StateUUID = "uuid-2"
	h.round(1, galera("n1", "Primary", 4, 3), galera("n2", "Primary", 4, 3), other)
	v, _ = checkSplit(t, h, nil)
	wantStatus(t, v, Invalid)
}

// Writes acknowledged by two nodes at overlapping times, each absent from
// the other after healing.
func TestSplitBrainConcurrentExclusiveWrites(t *testing.T) {
	h := &hist{}
	h.add(0, "n1", 1, 0.9, history.OK, 1)
	h.add(1, "n2", 2, 1.9, history.OK, 2)
	h.add(0, "n1", 3, 2.9, history.OK, 3)
	h.add(1, "n2", 4, 3.9, history.OK, 4)
	f := ledgerFinal(map[string][]int64{"n1": {1, 3}, "n2": {2, 4}})
	v, ev := checkSplit(t, h, f)
	wantStatus(t, v, Invalid)
	s := ev.Writes.Splits
	if len(s) != 1 || s[0].A != "n1" || s[0].B != "n2" || s[0].AOnly != 2 || s[0].BOnly != 2 || s[0].X != 1 || s[0].Y != 2 {
		t.Fatalf("splits: %+v", s)
	}
}

// A fork whose two sides did not accept writes at the same time is reported
// as diverged, not as a split (lost writes and GTIDs judge it).
func TestSplitBrainSequentialForkIsDivergedNotSplit(t *testing.T) {
	h := &hist{}
	h.add(0, "n1", 1, 0.9, history.OK, 1)
	h.add(0, "n1", 3, 1.9, history.OK, 2)
	h.add(1, "n2", 2, 4.9, history.OK, 5)
	h.add(1, "n2", 4, 5.9, history.OK, 6)
	v, ev := checkSplit(t, h, ledgerFinal(map[string][]int64{"n1": {1, 3}, "n2": {2, 4}}))
	wantStatus(t, v, Valid)
	if len(ev.Writes.Diverged) != 1 {
		t.Fatalf("diverged: %+v", ev.Writes)
	}
}

func gtidFinal(lists ...string) *history.Final {
	f := &history.Final{Workload: "register", Converged: false}
	for i, l := range lists {
		f.Nodes = append(f.Nodes, history.FinalNode{Node: "n" + string(rune('1'+i)), Reachable: true, GTIDBinlog: l})
	}
	return f
}

func TestSplitBrainErrantGTIDs(t *testing.T) {
	for name, lists := range map[string][]string{
		"same sequence from two servers": {"0-1-101", "0-2-101"},
		"binlog state, errant on old":    {"0-1-101", "0-1-100,0-2-150"},
		"binlog state, old ahead":        {"0-1-300", "0-1-100,0-2-250"},
	} {
		t.Run(name, func(t *testing.T) {
			v, ev := checkSplit(t, &hist{}, gtidFinal(lists...))
			wantStatus(t, v, Invalid)
			if len(ev.Healed.GTIDDivergent) != 1 {
				t.Fatalf("healed: %+v", ev.Healed)
			}
		})
	}
}

func TestSplitBrainLaggingGTIDsNotFlagged(t *testing.T) {
	for name, c := range map[string]struct {
		lists   []string
		lagging int
	}{
		"positions":                  {[]string{"0-1-120", "0-1-100", "0-1-120"}, 2},
		"states after a failover":    {[]string{"0-1-100,0-2-250", "0-1-100,0-2-200", "0-1-100"}, 3},
		"positions after a failover": {[]string{"0-2-250", "0-2-200", "0-1-100"}, 3},
	} {
		t.Run(name, func(t *testing.T) {
			v, ev := checkSplit(t, &hist{}, gtidFinal(c.lists...))
			wantStatus(t, v, Valid)
			if len(ev.Healed.GTIDLagging) != c.lagging {
				t.Fatalf("lagging: %+v", ev.Healed.GTIDLagging)
			}
		})
	}
}

func TestSplitBrainRowConflicts(t *testing.T) {
	f := ledgerFinal(map[string][]int64{"n1": {}, "n2": {}})
	f.Converged = false
	f.Nodes[0].Rows = map[string]string{"7": "a", "8": "x"}
	f.Nodes[1].Rows = map[string]string{"7": "b", "8": "x"}
	v, ev := checkSplit(t, &hist{}, f)
	wantStatus(t, v, Invalid) // ledger rows never change: a conflict even before convergence
	if ev.Healed.RowConflicts != 1 || ev.Healed.Rows[0].Key != "7" {
		t.Fatalf("rows: %+v", ev.Healed)
	}
	f.Workload = "register" // updatable rows on a cluster that did not converge: lag
	v, _ = checkSplit(t, &hist{}, f)
	wantStatus(t, v, Valid)
}

func TestSplitBrainChecksumsAfterConvergence(t *testing.T) {
	f := gtidFinal("", "")
	f.Nodes[0].Checksums = map[string]int64{"registers": 1}
	f.Nodes[1].Checksums = map[string]int64{"registers": 2}
	v, _ := checkSplit(t, &hist{}, f)
	wantStatus(t, v, Valid) // not converged: may be lag
	f.Converged = true
	v, ev := checkSplit(t, &hist{}, f)
	wantStatus(t, v, Invalid)
	if len(ev.Healed.Checksums) != 1 {
		t.Fatalf("checksums: %+v", ev.Healed)
	}
}

// Galera nodes share one GTID sequence; differing positions are not compared.
func TestSplitBrainGaleraGTIDsNotCompared(t *testing.T) {
	h := &hist{}
	h.round(1, galera("n1", "Primary", 3, 2), galera("n2", "Primary", 3, 2))
	v, _ := checkSplit(t, h, gtidFinal("0-1-10", "0-2-10"))
	wantStatus(t, v, Valid)
}

func TestSplitBrainUnknownWithoutData(t *testing.T) {
	v, _ := checkSplit(t, &hist{}, nil)
	wantStatus(t, v, Unknown)
}

func TestParseGTIDs(t *testing.T) {
	g, err := parseGTIDs("0-1-100, 1-2-5,\n0-1-90")
	if err != nil || len(g) != 2 || g[gtidKey{0, 1}] != 100 || g[gtidKey{1, 2}] != 5 {
		t.Fatalf("parse: %v %v", g, err)
	}
	for _, bad := range []string{"0-1", "a-1-2", "0-1-2-3", "-1-1-1"} {
		if _, err := parseGTIDs(bad); err == nil {
			t.Errorf("parseGTIDs(%q) accepted", bad)
		}
	}
	if g, err := parseGTIDs(""); err != nil || len(g) != 0 {
		t.Fatalf("empty: %v %v", g, err)
	}
}

func TestGTIDLacks(t *testing.T) {
	b, _ := parseGTIDs("0-2-150")
	cases := []struct {
		k    gtidKey
		seq  uint64
		want bool
	}{
		{gtidKey{0, 2}, 151, true},  // same server, behind
		{gtidKey{0, 2}, 150, false}, // held
		{gtidKey{0, 1}, 101, false}, // maybe in b's history: b's list shows only its last GTID
		{gtidKey{0, 1}, 150, true},  // same number from another server: conflict
		{gtidKey{0, 1}, 160, true},  // domain behind
		{gtidKey{1, 1}, 1, true},    // domain never seen
	}
	for _, c := range cases {
		if got := b.lacks(c.k, c.seq, false); got != c.want {
			t.Errorf("lacks(%v-%d) = %v, want %v", c.k, c.seq, got, c.want)
		}
	}
	if !b.lacks(gtidKey{0, 1}, 101, true) {
		t.Error("a binlog state that does not list a server lacks its GTIDs")
	}
	pos, _ := parseGTIDs("0-1-5,1-2-7")
	state, _ := parseGTIDs("0-1-100,0-2-150")
	if stateForm([]gtidSet{pos, b}) || !stateForm([]gtidSet{pos, state}) {
		t.Error("binlog states are recognised by two servers in one domain")
	}
}
