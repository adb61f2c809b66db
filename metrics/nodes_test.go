package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"faultline.dev/faultline/history"
)

func label(ls []*dto.LabelPair, name string) string {
	for _, l := range ls {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func sec(n float64) int64 { return int64(n * float64(time.Second)) }

func primary(pos string) history.ProbeEvent {
	return history.ProbeEvent{Node: "n1", Role: rolePrimary, Reachable: true, Writable: true, GTIDBinlog: pos}
}

func replica(node, pos string) history.ProbeEvent {
	return history.ProbeEvent{Node: node, Role: roleReplica, Reachable: true, GTIDCurrent: pos}
}

// Measured lag is the time since the probes first saw the primary at a
// position the replica has not reached.
func TestLagMeasuredAgainstHarnessClock(t *testing.T) {
	var lt lagTracker
	rounds := []struct {
		at   float64
		ps   []history.ProbeEvent
		want map[string]float64
	}{
		{0, []history.ProbeEvent{primary("0-1-10"), replica("n2", "0-1-10"), replica("n3", "0-1-10")}, map[string]float64{"n2": 0, "n3": 0}},
		// n3 stops applying at 10; n2 is a little behind the primary but
		// past everything the primary showed in earlier rounds.
		{0.5, []history.ProbeEvent{primary("0-1-20"), replica("n2", "0-1-19"), replica("n3", "0-1-10")}, map[string]float64{"n2": 0, "n3": 0}},
		{1.0, []history.ProbeEvent{primary("0-1-30"), replica("n2", "0-1-29"), replica("n3", "0-1-10")}, map[string]float64{"n2": 0, "n3": 0.5}},
		// The primary stops writing; n3 is still behind what was seen at 0.5 s.
		{1.5, []history.ProbeEvent{primary("0-1-30"), replica("n2", "0-1-30"), replica("n3", "0-1-10")}, map[string]float64{"n2": 0, "n3": 1.0}},
		// n3 unreachable: no measurement; the primary unreachable: replicas
		// are still measured against what was seen.
		{2.0, []history.ProbeEvent{{Node: "n1", Role: "down"}, replica("n2", "0-1-30"), {Node: "n3", Role: "down"}}, map[string]float64{"n2": 0}},
		{2.5, []history.ProbeEvent{primary("0-1-30"), replica("n2", "0-1-30"), replica("n3", "0-1-25")}, map[string]float64{"n2": 0, "n3": 1.5}},
		{3.0, []history.ProbeEvent{primary("0-1-30,1-1-5"), replica("n2", "0-1-30"), replica("n3", "0-1-30,1-1-5")}, map[string]float64{"n2": 0, "n3": 0}},
	}
	for _, r := range rounds {
		got := lt.observe(sec(r.at), r.ps)
		if len(got) != len(r.want) {
			t.Errorf("at %.1fs: measured %v, want %v", r.at, got, r.want)
		}
		for node, w := range r.want {
			if d, ok := got[node]; !ok || d != time.Duration(sec(w)) {
				t.Errorf("at %.1fs: %s lag %v (measured %v), want %.1fs", r.at, node, d, ok, w)
			}
		}
	}
}

// Roles: the current one is 1, earlier ones 0; reachability and
// writability follow the latest probe; lag is absent for a node that is
// not a reachable replica.
func TestNodeGauges(t *testing.T) {
	m := New(Run{ID: "r1"})
	m.Probes(0, []history.ProbeEvent{primary("0-1-1"), replica("n2", "0-1-1")})
	m.Probes(sec(1), []history.ProbeEvent{{Node: "n1", Role: "down"}, {Node: "n2", Role: rolePrimary, Reachable: true, Writable: true, GTIDBinlog: "0-1-1"}})
	n := m.nodes
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"n1 role down", testutil.ToFloat64(n.role.WithLabelValues("n1", "down")), 1},
		{"n1 role primary", testutil.ToFloat64(n.role.WithLabelValues("n1", rolePrimary)), 0},
		{"n2 role primary", testutil.ToFloat64(n.role.WithLabelValues("n2", rolePrimary)), 1},
		{"n2 role replica", testutil.ToFloat64(n.role.WithLabelValues("n2", roleReplica)), 0},
		{"n1 reachable", testutil.ToFloat64(n.reachable.WithLabelValues("n1")), 0},
		{"n2 writable", testutil.ToFloat64(n.writable.WithLabelValues("n2")), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if c := testutil.CollectAndCount(n.lag); c != 0 {
		t.Errorf("lag series after n2's promotion: %d, want none", c)
	}
}

func TestParseGTIDPos(t *testing.T) {
	p := parseGTIDPos("0-1-10, 1-2-7,junk,2-x-y")
	if len(p) != 2 || p["0"] != 10 || p["1"] != 7 {
		t.Fatalf("parsed %v", p)
	}
	if !p.ahead(parseGTIDPos("0-1-10")) || p.ahead(parseGTIDPos("0-3-11,1-2-7")) {
		t.Fatalf("ahead wrong for %v", p)
	}
}
