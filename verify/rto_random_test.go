package verify

import (
	"context"
	"math"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

// refWindows is a naive O(n²) rto, rto-client and heal-RTO over the
// operations of a history, per fault, in the order of the faults.
func refWindows(ops []*genOp, ws []faultWindow, end int64) []int64 {
	var out []int64
	for i, w := range ws {
		until := int64(math.MaxInt64)
		if i+1 < len(ws) {
			until = ws[i+1].start
		}
		if w.healed > 0 {
			until = w.healed
		}
		out = append(out, refRTO(ops, w, until, end), refClientRTO(ops, w, until, end))
		if w.healed > 0 {
			prev := int64(0)
			if i > 0 {
				prev = ws[i-1].healed
			}
			out = append(out, refHealRTO(ops, w, prev, end))
		}
	}
	return out
}

// refRTO: a span from the invoke of an acknowledged write (or of the first
// write) to the first acknowledgement of a write invoked after it is an
// outage when a write not acknowledged was in flight in it; the longest
// begun before until and ended after the fault's start, from the later of
// its beginning and the start.
func refRTO(ops []*genOp, w faultWindow, until, end int64) int64 {
	first := ops[0]
	for _, o := range ops {
		if o.call < first.call {
			first = o
		}
	}
	best := int64(0)
	for _, o := range ops {
		if o.typ != history.OK && o != first || o.call >= until {
			continue
		}
		ack := int64(math.MaxInt64)
		for _, x := range ops {
			if x.typ == history.OK && x.call > o.call {
				ack = min(ack, x.ret)
			}
		}
		failing := false
		for _, x := range ops {
			ret := x.ret
			if x.typ == never {
				ret = math.MaxInt64
			}
			failing = failing || x.typ != history.OK && x.call < ack && ret > o.call
		}
		if failing && ack > w.start {
			best = max(best, min(ack, end)-max(o.call, w.start))
		}
	}
	return best
}

// refClientRTO: a client's outage runs from a write not acknowledged that
// follows an acknowledged one (or is its first) to the acknowledgement of
// its next acknowledged write; the longest over all clients, measured as
// refRTO measures. A client's operations are in invoke order in ops.
func refClientRTO(ops []*genOp, w faultWindow, until, end int64) int64 {
	best := int64(0)
	for i, o := range ops {
		if o.typ == history.OK || o.call >= until {
			continue
		}
		prev := -1
		for j := range i {
			if ops[j].p == o.p {
				prev = j
			}
		}
		if prev >= 0 && ops[prev].typ != history.OK {
			continue // the client's outage began earlier
		}
		ack := int64(math.MaxInt64)
		for _, x := range ops[i+1:] {
			if x.p == o.p && x.typ == history.OK {
				ack = x.ret
				break
			}
		}
		if ack > w.start {
			best = max(best, min(ack, end)-max(o.call, w.start))
		}
	}
	return best
}

func refHealRTO(ops []*genOp, w faultWindow, prev, end int64) int64 {
	count := func(from, to int64) int {
		n := 0
		for _, o := range ops {
			if o.typ == history.OK && o.ret >= from && o.ret < to {
				n++
			}
		}
		return n
	}
	first := int64(math.MaxInt64)
	for _, o := range ops {
		if o.typ != never {
			first = min(first, o.ret)
		}
	}
	from := max(prev, w.start-10*int64(time.Second), first)
	need := 1.0
	if span := w.start - from; span >= int64(time.Second) {
		need = max(1, 0.8*float64(count(from, w.start))*float64(time.Second)/float64(span))
	}
	best := int64(math.MaxInt64)
	for _, o := range ops {
		t := o.ret
		if o.typ != history.OK || t < w.healed || (need > 1 && t+int64(time.Second) > end) {
			continue
		}
		if float64(count(t, t+int64(time.Second))) >= need {
			best = min(best, t)
		}
	}
	if best == math.MaxInt64 {
		return end - w.healed
	}
	return best - w.healed
}

// Random write histories with outages and random fault windows: the RTO
// checker's values equal the naive reference's.
func TestRTOAgreesWithReference(t *testing.T) {
	measured := map[string]int{}
	for seed := 0; seed < 60; seed++ {
		rng := rngFor(9000 + seed)
		ops := schedule(rng, 1+rng.IntN(4), 20+rng.IntN(300))
		for i, o := range ops {
			o.f, o.in, o.out = "add", int64(i), int64(i)
			if seed%2 == 1 { // whole milliseconds: writes invoked at the same instant
				o.call, o.ret = o.call/1e6*1e6, o.ret/1e6*1e6
			}
		}
		h := toHistory(ops, nodeOf)
		last := h.ev[len(h.ev)-1].Time
		at := int64(0)
		for f := 0; f < 1+rng.IntN(3); f++ {
			at += rng.Int64N(last/2 + 1)
			id := "f" + string(rune('1'+f))
			h.ev = append(h.ev, history.Event{Time: at, Process: history.ProcessNemesis, Type: history.Fault,
				Fault: &history.FaultEvent{ID: id, Kind: "partition", Phase: history.FaultStart}})
			if rng.IntN(4) > 0 {
				at += rng.Int64N(last/4 + 1)
				h.ev = append(h.ev, history.Event{Time: at, Process: history.ProcessNemesis, Type: history.Fault,
					Fault: &history.FaultEvent{ID: id, Kind: "partition", Phase: history.FaultHealed}})
			}
		}
		ev := h.events()
		v := RTO{}.Check(context.Background(), &Input{Events: ev})
		want := refWindows(ops, faultWindows(ev), ev[len(ev)-1].Time)
		if len(v.Windows) != len(want) {
			t.Fatalf("seed %d: %d windows, reference %d", seed, len(v.Windows), len(want))
		}
		for i, w := range v.Windows {
			if w.Value != want[i] {
				t.Fatalf("seed %d: window %d (%s %s): %d, reference %d (%s)", seed, i, w.Fault, w.Metric, w.Value, want[i], w.Note)
			}
			if w.Value > 0 {
				measured[w.Metric]++
			}
		}
	}
	if measured["rto"] == 0 || measured["rto-client"] == 0 || measured["rto-heal"] == 0 {
		t.Fatalf("random histories should exercise every metric: %v", measured)
	}
}
