package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

// writer adds writes with unique values to a hand-built history.
type writer struct {
	h *hist
	v int64
}

func (w *writer) add(p int, node string, call float64, typ history.Type, ret float64) {
	w.v++
	w.h.add(p, node, w.v, call, typ, ret)
}

// every has client p write on node every 50 ms in [from, to), each
// acknowledged 10 ms after its invoke.
func (w *writer) every(p int, node string, from, to float64) {
	for t := from; t < to-1e-9; t += 0.05 {
		w.add(p, node, t, history.OK, t+0.01)
	}
}

func rtoOf(t *testing.T, w *writer, th Thresholds) Verdict {
	t.Helper()
	return RTO{}.Check(context.Background(), &Input{Events: w.h.events(), Thresholds: th})
}

func wantNear(t *testing.T, w Window, want float64) {
	t.Helper()
	if d := w.Value - sec(want); d < -int64(time.Millisecond) || d > int64(time.Millisecond) {
		t.Fatalf("%s window: %s, want %.3fs (%s)", w.Metric, time.Duration(w.Value), want, w.Note)
	}
}

// Every node of a three-node cluster is killed at 10 s and restarted at
// 20 s; writes are acknowledged again from 33 s. Client 0's write invoked
// just after the fault started was acknowledged before its node died: it
// must not end the outage. Each client's write in flight at the kill ends
// info; while no node accepts connections the clients record nothing.
func wholeClusterKill() *writer {
	w := &writer{h: &hist{}}
	for p, node := range []string{"n1", "n2", "n3"} {
		w.every(p, node, float64(p)*0.003, 9.99)
		w.every(p, node, 33+float64(p)*0.003, 40)
	}
	w.add(0, "n1", 10.001, history.OK, 10.004)
	w.add(0, "n1", 10.005, history.Info, 10.03)
	w.add(1, "n2", 9.998, history.Info, 10.02)
	w.add(2, "n3", 9.999, history.Info, 10.02)
	w.h.fault(10, "kill", "kill", history.FaultStart)
	w.h.fault(20, "kill", "kill", history.FaultHealed)
	return w
}

func TestRTOWholeClusterOutage(t *testing.T) {
	v := rtoOf(t, wholeClusterKill(), Thresholds{RTO: dur(5 * time.Second)})
	wantStatus(t, v, Invalid)
	// From the invoke of the last acknowledged write, client 0's at
	// 10.001 s, to the first acknowledgement of a later write (33.01 s).
	wantNear(t, window(t, v, metricRTO), 33.01-10.001)
	// Client 2: info from 9.999 s (counted from the fault's start), next ok
	// acknowledged at 33.016 s.
	c := window(t, v, metricRTOClient)
	wantNear(t, c, 33.016-10)
	if c.Client == nil || *c.Client != 2 || c.Status != Measured || !strings.Contains(c.Note, "client 2") {
		t.Fatalf("rto-client window: %+v", c)
	}
}

// n1 dies at 10 s for 10 s on a multi-primary cluster with a client on
// every node. Client 0's last write, invoked at 9.995 s, is lost with its
// node at 10.002 s; the survivors still acknowledge writes invoked after
// it, then stall for 2 s until n1 is evicted: their writes invoked at 10 s
// are acknowledged at 12 s, their next ones at once. Client 0 reconnects to
// n2 only at 17 s.
func survivorKeepsServing() *writer {
	w := &writer{h: &hist{}}
	w.every(0, "n1", 0, 9.99)
	w.add(0, "n1", 9.995, history.Info, 10.002)
	w.every(0, "n2", 17, 30)
	for p := 1; p <= 2; p++ {
		node, off := []string{"n1", "n2", "n3"}[p], float64(p)*0.003
		w.every(p, node, off, 9.95)
		w.add(p, node, 9.995+0.001*float64(p), history.OK, 9.999)
		w.add(p, node, 10, history.OK, 12)
		w.every(p, node, 12, 30)
	}
	w.h.fault(10, "kill", "kill", history.FaultStart)
	w.h.fault(20, "kill", "kill", history.FaultHealed)
	return w
}

func TestRTOSurvivorKeepsServing(t *testing.T) {
	v := rtoOf(t, survivorKeepsServing(), Thresholds{RTO: dur(5 * time.Second)})
	// The threshold judges the cluster outage; the client's longer one is shown.
	wantStatus(t, v, Valid)
	wantNear(t, window(t, v, metricRTO), 12.01-10)
	c := window(t, v, metricRTOClient)
	wantNear(t, c, 17.01-10)
	if c.Client == nil || *c.Client != 0 || c.Status != Measured {
		t.Fatalf("rto-client window: %+v", c)
	}
}

// A flapping service: two clients write every 100 ms (50 ms apart); writes
// fail at once while the service is down in [10, 11), [11.5, 13.5) and
// [14, 14.5). Client 0's write invoked at 11.4 s, before the long dip,
// stalls and is acknowledged inside it at 12.5 s: it does not split the dip.
func TestRTOFlappingService(t *testing.T) {
	w := &writer{h: &hist{}}
	down := func(ms int) bool {
		return ms >= 10000 && ms < 11000 || ms >= 11500 && ms < 13500 || ms >= 14000 && ms < 14500
	}
	for k := 0; k < 200; k++ {
		for p, off := range []int{0, 50} {
			ms := k*100 + off
			switch {
			case p == 0 && ms == 11400:
				w.add(p, "n1", msec(ms), history.OK, 12.5)
			case p == 0 && ms > 11400 && ms < 12500: // still waiting for it
			case down(ms):
				w.add(p, "n1", msec(ms), history.Fail, msec(ms+1))
			default:
				w.add(p, "n1", msec(ms), history.OK, msec(ms+10))
			}
		}
	}
	w.h.fault(10, "f", "partition", history.FaultStart)
	w.h.fault(15, "f", "partition", history.FaultHealed)
	v := rtoOf(t, w, Thresholds{RTO: dur(time.Second)})
	wantStatus(t, v, Invalid)
	// The longest dip, from the invoke of the last write acknowledged before
	// it (client 1's at 11.45 s) to the first acknowledgement of a later
	// write (13.51 s): not the first dip, not the sum.
	wantNear(t, window(t, v, metricRTO), 13.51-11.45)
}
