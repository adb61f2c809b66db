package verify

import (
	"context"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

// semiSyncFailover is the data-loss bug of GTID + semi-sync replication:
// the primary n1 is cut from both replicas while clients still reach it;
// its writes stall for the 2 s semi-sync timeout, then return OK (async
// fallback). n2 is promoted at 15 s and takes writes too. At the heal (30 s)
// re-pointing n1 fails: its acknowledged writes since 10 s exist only on
// n1, n2's only on n2 and n3, and the GTID histories forked.
func semiSyncFailover() *Input {
	h := &hist{}
	n1, n2 := []int64{}, []int64{}
	v := int64(0)
	for ms := 0; ms < 40000; ms += 100 {
		call, ret := msec(ms), msec(ms+10)
		if ms == 10000 {
			ret = 12.01 // stalled until the semi-sync timeout
		}
		if ms <= 10000 || ms >= 12100 { // client 0 is blocked meanwhile
			v++
			h.add(0, "n1", v, call, history.OK, ret)
			n1 = append(n1, v)
			if ms < 10000 {
				n2 = append(n2, v)
			}
		}
		if ms >= 15500 {
			v++
			h.add(1, "n2", v, call+0.05, history.OK, call+0.06)
			n2 = append(n2, v)
		}
	}
	h.fault(10, "f1", "partition", history.FaultStart)
	h.fault(15, "promote", "promote", history.FaultAction)
	h.fault(30, "f1", "partition", history.FaultHealed)
	for s := 1; s < 41; s++ {
		if s <= 15 {
			h.round(float64(s), writable("n1"), replica("n2"), replica("n3"))
		} else {
			h.round(float64(s), writable("n1"), writable("n2"), replica("n3"))
		}
	}
	f := ledgerFinal(map[string][]int64{"n1": n1, "n2": n2, "n3": n2})
	f.Time, f.Converged, f.ConvergenceErr = sec(41), false, "n1: error 1236 re-pointing to n2"
	f.Nodes[0].GTIDBinlog = "0-1-400"
	f.Nodes[1].GTIDBinlog = "0-1-100,0-2-345"
	f.Nodes[2].GTIDBinlog = "0-1-100,0-2-345"
	return &Input{Events: h.events(), Final: f, Thresholds: Thresholds{RPO: dur(0), RTO: dur(5 * time.Second)}}
}

func TestSemiSyncFailoverFound(t *testing.T) {
	in := semiSyncFailover()
	vs := RunAll(context.Background(), in, Checkers("ledger", nil), 30*time.Second)
	got := map[string]Verdict{}
	for _, v := range vs {
		got[v.Check] = v
	}
	wantStatus(t, got["lost-writes"], Invalid)
	wantStatus(t, got["split-brain"], Invalid)
	wantStatus(t, got["rpo"], Invalid)
	wantStatus(t, got["convergence"], Invalid)
	wantStatus(t, got["rto"], Valid) // writes never stopped being acknowledged

	cl := evidence[ledgerClasses](t, got["lost-writes"])
	// Both writable primaries are authoritative: n1 lacks n2's 245 writes,
	// n2 lacks n1's 1 + 279 since the partition.
	if cl.LostCount != 280+245 {
		t.Errorf("lost %d, want %d", cl.LostCount, 280+245)
	}
	sb := evidence[splitBrainEvidence](t, got["split-brain"])
	if sb.Probes.Count != 1 || len(sb.Writes.Splits) != 1 || len(sb.Healed.GTIDDivergent) != 2 {
		t.Errorf("split-brain angles: probes %d, writes %+v, gtids %+v", sb.Probes.Count, sb.Writes.Splits, sb.Healed.GTIDDivergent)
	}
	w := window(t, got["rpo"], "rpo")
	// First lost ack: the stalled writes at 12.01 s; last: n1's and n2's at 39.9 s.
	if w.Count != 280+245 || w.Value != sec(msec(39960))-sec(12.01) {
		t.Errorf("rpo window: %+v", w)
	}
}

// galeraMinorityPartition: n3 is cut from n1 and n2 at 10 s; it keeps its
// old Primary view for 6 s (its clients' writes stall, then fail with
// ERROR 1047 once it goes non-Primary), the majority installs a new view and
// keeps acknowledging. Healed at 25 s, n3 rejoins and catches up.
func galeraMinorityPartition() *Input {
	h := &hist{}
	var all []int64
	v := int64(0)
	for ms := 0; ms < 40000; ms += 100 {
		for p, node := range []string{"n1", "n2", "n3"} {
			call := msec(ms + 10*p)
			if node == "n3" && ms >= 10000 && ms < 28000 {
				if ms == 10000 { // stalls, then the node refuses
					v++
					h.add(p, node, v, call, history.Fail, 16.5)
				}
				continue
			}
			v++
			h.add(p, node, v, call, history.OK, call+0.005)
			all = append(all, v)
		}
	}
	h.fault(10, "f1", "partition", history.FaultStart)
	h.fault(25, "f1", "partition", history.FaultHealed)
	for s := 1; s < 41; s++ {
		t := float64(s)
		switch {
		case s < 10 || s > 28:
			h.round(t, galera("n1", "Primary", 3, 3), galera("n2", "Primary", 3, 3), galera("n3", "Primary", 3, 3))
		case s <= 16: // n3 still shows its old view
			h.round(t, galera("n1", "Primary", 4, 2), galera("n2", "Primary", 4, 2), galera("n3", "Primary", 3, 3))
		default:
			h.round(t, galera("n1", "Primary", 4, 2), galera("n2", "Primary", 4, 2), galera("n3", "non-Primary", -1, 1))
		}
	}
	f := ledgerFinal(map[string][]int64{"n1": all, "n2": all, "n3": all})
	f.Time = sec(41)
	return &Input{Events: h.events(), Final: f, Thresholds: Thresholds{RPO: dur(0), RTO: dur(time.Second), HealRTO: dur(5 * time.Second)}}
}

func TestGaleraMinorityPartitionIsClean(t *testing.T) {
	vs := RunAll(context.Background(), galeraMinorityPartition(), Checkers("ledger", nil), 30*time.Second)
	for _, v := range vs {
		if v.Check == NameTimestampOrder { // no stamps in this final read, no threshold: shown, not judged
			wantStatus(t, v, Measured)
			continue
		}
		wantStatus(t, v, Valid)
	}
}
