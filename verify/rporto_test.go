package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

func msec(ms int) float64 { return float64(ms) / 1000 }

// recoveryHistory: two clients each write every 100 ms for 20 s (offset
// 50 ms, 10 ms per write). Partition f1 from 5 s to 10 s, promote at 6 s;
// writes invoked in [5.5 s, 8 s) fail; client 1 is idle from 8 s to 12 s;
// the writes acknowledged at 4.81 s and 4.91 s are missing from the final read.
func recoveryHistory() (*hist, *history.Final) {
	h := &hist{}
	var kept []int64
	for ms := 0; ms < 20000; ms += 100 {
		for p := 0; p < 2; p++ {
			call := ms + p*50
			if p == 1 && call >= 8000 && call < 12000 {
				continue
			}
			typ := history.OK
			if call >= 5500 && call < 8000 {
				typ = history.Fail
			}
			h.add(p, "n1", int64(call), msec(call), typ, msec(call+10))
			if typ == history.OK && call != 4800 && call != 4900 {
				kept = append(kept, int64(call))
			}
		}
	}
	h.fault(5, "f1", "partition", history.FaultStart)
	h.fault(5.2, "f1", "partition", history.FaultEffect)
	h.fault(6, "f2", "promote", history.FaultAction)
	h.fault(10, "f1", "partition", history.FaultHealed)
	return h, ledgerFinal(map[string][]int64{"n1": kept})
}

func dur(d time.Duration) *time.Duration { return &d }

func window(t *testing.T, v Verdict, metric string) Window {
	t.Helper()
	for _, w := range v.Windows {
		if w.Metric == metric {
			return w
		}
	}
	t.Fatalf("%s: no %s window in %+v", v.Check, metric, v.Windows)
	return Window{}
}

func runRecovery(c Checker, th Thresholds) Verdict {
	h, f := recoveryHistory()
	return c.Check(context.Background(), &Input{Events: h.events(), Final: f, Thresholds: th})
}

func TestRPOSpanFromFirstLostAckToFailover(t *testing.T) {
	v := runRecovery(RPO{}, Thresholds{})
	wantStatus(t, v, Measured)
	if len(v.Windows) != 1 {
		t.Fatalf("windows: %+v (the promote inside f1 is its failover moment, not a window)", v.Windows)
	}
	w := window(t, v, "rpo")
	if w.Fault != "f1" || w.Count != 2 || w.Value != sec(6)-sec(msec(4810)) || w.Start != sec(5) || w.End != sec(10) {
		t.Fatalf("rpo window: %+v", w)
	}
	for th, want := range map[time.Duration]Status{0: Invalid, time.Second: Invalid, 2 * time.Second: Valid} {
		v := runRecovery(RPO{}, Thresholds{RPO: dur(th)})
		wantStatus(t, v, want)
		if got := *window(t, v, "rpo").Threshold; got != int64(th) {
			t.Fatalf("threshold %d, want %d", got, th)
		}
	}
}

func TestRPOZeroWithoutLoss(t *testing.T) {
	h, _ := recoveryHistory()
	var all []int64
	for _, e := range h.events() {
		if e.Type == history.OK {
			v, _ := parseInt64(e.Value)
			all = append(all, v)
		}
	}
	v := RPO{}.Check(context.Background(), &Input{Events: h.ev, Final: ledgerFinal(map[string][]int64{"n1": all}),
		Thresholds: Thresholds{RPO: dur(0)}})
	wantStatus(t, v, Valid)
	if w := window(t, v, "rpo"); w.Count != 0 || w.Value != 0 {
		t.Fatalf("rpo window: %+v", w)
	}
}

// The outage runs from the invoke of the last acknowledged write (5.45 s)
// to the acknowledgement of the first write invoked after it (8.01 s);
// client 1's from its first failed write (5.55 s) to its next ok write
// (12.06 s).
func TestRTOFromFirstUnacknowledgedWriteToNextAck(t *testing.T) {
	v := runRecovery(RTO{}, Thresholds{})
	wantStatus(t, v, Measured)
	w := window(t, v, "rto")
	if w.Value != sec(msec(8010))-sec(5.45) || w.Status != Measured {
		t.Fatalf("rto window: %+v", w)
	}
	if c := window(t, v, "rto-client"); c.Value != sec(msec(12060))-sec(5.55) || *c.Client != 1 {
		t.Fatalf("rto-client window: %+v", c)
	}
	wantStatus(t, runRecovery(RTO{}, Thresholds{RTO: dur(2 * time.Second)}), Invalid)
	wantStatus(t, runRecovery(RTO{}, Thresholds{RTO: dur(4 * time.Second)}), Valid)
}

// Pre-fault rate: 100 ok writes from the first completion (0.01 s) to the
// fault (5 s), so full service needs 0.8 × 100 / 4.99 s ≈ 16.03, i.e. 17
// writes in one second. After the heal only client 0 writes until 12 s; the
// first ok write from which the next second holds 17 is client 0's at 11.71 s
// (10 of its own, 7 of client 1 from 12.06 s).
func TestHealRTOBackToEightyPercentOfPreFaultRate(t *testing.T) {
	v := runRecovery(RTO{}, Thresholds{})
	w := window(t, v, "rto-heal")
	if w.Value != sec(msec(11710))-sec(10) {
		t.Fatalf("rto-heal window: %+v", w)
	}
	wantStatus(t, runRecovery(RTO{}, Thresholds{HealRTO: dur(time.Second)}), Invalid)
	wantStatus(t, runRecovery(RTO{}, Thresholds{HealRTO: dur(2 * time.Second)}), Valid)
}

func TestRTONoOutage(t *testing.T) {
	h := &hist{}
	for i := 0; i < 50; i++ {
		h.add(0, "n1", int64(i), float64(i)*0.1, history.OK, float64(i)*0.1+0.01)
	}
	h.fault(1, "f1", "latency", history.FaultStart)
	h.fault(2, "f1", "latency", history.FaultHealed)
	v := RTO{}.Check(context.Background(), &Input{Events: h.events(), Thresholds: Thresholds{RTO: dur(0)}})
	wantStatus(t, v, Valid)
	if w := window(t, v, "rto"); w.Value != 0 || w.Note != noOutageNote {
		t.Fatalf("rto window: %+v", w)
	}
}

func TestRTONotRecoveredIsUnknownOrBreach(t *testing.T) {
	h := &hist{}
	for i := 0; i < 50; i++ {
		typ := history.OK
		if i >= 20 {
			typ = history.Info
		}
		h.add(0, "n1", int64(i), float64(i)*0.1, typ, float64(i)*0.1+0.05)
	}
	h.fault(1.9, "f1", "kill", history.FaultStart)
	ev := h.events()
	v := RTO{}.Check(context.Background(), &Input{Events: ev})
	wantStatus(t, v, Measured)
	if w := window(t, v, "rto"); !strings.Contains(w.Note, "lower bound") || w.Value != sec(4.95)-sec(1.9) {
		t.Fatalf("rto window: %+v", w)
	}
	wantStatus(t, RTO{}.Check(context.Background(), &Input{Events: ev, Thresholds: Thresholds{RTO: dur(5 * time.Second)}}), Unknown)
	wantStatus(t, RTO{}.Check(context.Background(), &Input{Events: ev, Thresholds: Thresholds{RTO: dur(time.Second)}}), Invalid)
}

func TestFaultWindowsStandaloneAction(t *testing.T) {
	h := &hist{}
	h.fault(1, "f1", "partition", history.FaultStart)
	h.fault(2, "f1", "partition", history.FaultHealed)
	h.fault(3, "p", "promote", history.FaultAction)
	ws := faultWindows(h.events())
	if len(ws) != 2 || ws[1].id != "p" || !ws[1].action || ws[0].moment() != sec(1) || ws[1].moment() != sec(3) {
		t.Fatalf("windows: %+v", ws)
	}
	if windowOf(ws, 0) != 0 || windowOf(ws, sec(2.5)) != 0 || windowOf(ws, sec(3)) != 1 {
		t.Fatal("windowOf attributes by the last window started")
	}
}

// Lost writes in a run without faults still have an RPO window.
func TestRPOWithoutFaults(t *testing.T) {
	h := &hist{}
	h.add(0, "n1", 1, 1, history.OK, 1.5)
	h.add(0, "n1", 2, 2, history.OK, 2.5)
	h.add(0, "n1", 3, 3, history.OK, 3.5)
	f := ledgerFinal(map[string][]int64{"n1": {2}})
	v := RPO{}.Check(context.Background(), &Input{Events: h.events(), Final: f, Thresholds: Thresholds{RPO: dur(time.Second)}})
	wantStatus(t, v, Invalid)
	if w := window(t, v, "rpo"); w.Fault != "(no fault)" || w.Count != 2 || w.Value != sec(3.5)-sec(1.5) {
		t.Fatalf("window: %+v", w)
	}
}

// A return to full service that the load never reached is reported as a
// lower bound; without a heal-RTO threshold it is measured and does not
// make the check unknown, with one it is judged.
func TestHealRTOWithoutThresholdIsMeasured(t *testing.T) {
	h := &hist{}
	for i := 0; i < 100; i++ { // 10 ok/s before the fault
		h.add(0, "n1", int64(i), float64(i)*0.1, history.OK, float64(i)*0.1+0.01)
	}
	h.fault(10, "f1", "partition", history.FaultStart)
	h.add(0, "n1", 1000, 10.1, history.Info, 11)
	h.fault(12, "f1", "partition", history.FaultHealed)
	for i := 0; i < 20; i++ { // 2 ok/s after the heal: never full service
		h.add(0, "n1", int64(2000+i), 12+float64(i)*0.5, history.OK, 12.01+float64(i)*0.5)
	}
	ev := h.events()
	v := RTO{}.Check(context.Background(), &Input{Events: ev})
	if w := window(t, v, "rto-heal"); w.Status != Measured || !strings.Contains(w.Note, "lower bound") {
		t.Fatalf("heal window: %+v", w)
	}
	wantStatus(t, v, Measured)
	wantStatus(t, RTO{}.Check(context.Background(), &Input{Events: ev, Thresholds: Thresholds{HealRTO: dur(time.Second)}}), Invalid)
}
