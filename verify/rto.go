package verify

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"faultline.dev/faultline/history"
)

// RTO measures, per fault window, how long writes were unavailable. A write
// is acknowledged when it completed ok; one that completed fail or info, or
// never completed, was not. A fault's window runs from its start to its heal
// (when it was never healed, to the next fault's start, else to the end of
// the history). Three metrics per window:
//
//   - rto, the cluster outage: the longest span in which the cluster
//     acknowledged no new write while a write was failing. Such a span
//     begins at the invoke of an acknowledged write (or of the history's
//     first write) and ends at the first acknowledgement of any write
//     invoked after it; it is an outage when some write that was not
//     acknowledged was in flight in it (invoked before its end, completed
//     after its beginning). So no write invoked inside an outage is
//     acknowledged before it ends, and a write acknowledged just before
//     every node died begins the outage rather than ending it. rto is the
//     longest outage that begins before the window's end and ends after the
//     fault's start, counted from the later of its beginning and the
//     fault's start. One node down while the others keep acknowledging new
//     writes gives a short rto (the time the survivors stall, if they do);
//     every node down gives the whole time until a node acknowledges a write
//     again. No write left unacknowledged near the window: 0, "no outage".
//     The rto threshold judges this metric.
//   - rto-client, the per-client outage: a client (process id ≥ 0) is out
//     from the invoke of its first write not acknowledged after an
//     acknowledged one (or its first write) to the acknowledgement of its own
//     next acknowledged write. rto-client is the worst client's longest
//     outage overlapping the window, counted the same way, and names the
//     client. How soon one client is served again depends on its routing and
//     reconnects as much as on the cluster, so no threshold judges it: it is
//     shown as Measured.
//   - rto-heal (healed faults): from the heal to full service, the first ok
//     write at or after the heal from which the next second holds at least
//     80 % of the pre-fault ok-write rate (measured over up to 10 s before
//     the fault, after the previous heal and the first completed write). With
//     under a second of baseline, full service is the first ok write after
//     the heal. The healRto threshold judges it.
//
// A stall in which every write is at last acknowledged is latency, not an
// outage; the workload's operation timeout turns a longer stall into info.
// An outage still open at the end of the history has the time to the end as
// its value (a lower bound): Invalid when that exceeds the threshold,
// Unknown otherwise. A window without a threshold is Measured. Times are the
// harness's clock only.
type RTO struct{}

// Name is "rto".
func (RTO) Name() string { return NameRTO }

// Rate window and share of the pre-fault rate that count as full service.
const (
	rateWindow    = int64(time.Second)
	baselineSpan  = 10 * int64(time.Second)
	fullShare     = 0.8
	noOutageNote  = "no outage"
	notRecoveredF = "not recovered before the end of the history (value is a lower bound)"
)

// Metrics of the RTO check's windows.
const (
	metricRTO       = "rto"
	metricRTOClient = "rto-client"
	metricRTOHeal   = "rto-heal"
)

// writeOp is one write: its invoke, its completion (MaxInt64 when it never
// completed), its client and its index in the opSet.
type writeOp struct {
	call, ret int64
	op        int32
	p         int32
	ok        bool
}

// writeTimeline is every write in invoke order, with the first
// acknowledgement of a write invoked after each, and the ok writes'
// completion times in order.
type writeTimeline struct {
	s      *opSet
	byCall []writeOp
	after  []int64 // after[i]: first ack of a write invoked after byCall[i]; MaxInt64: none
	oks    []int64
	first  int64 // first completion of a write; MaxInt64: none
	end    int64
}

func buildTimeline(s *opSet) writeTimeline {
	tl := writeTimeline{s: s, end: s.end, first: math.MaxInt64}
	n, oks := 0, 0
	for _, o := range s.ops {
		if writeFuncs[s.f(o)] {
			n++
			if s.typ(o) == history.OK {
				oks++
			}
		}
	}
	tl.byCall, tl.oks = make([]writeOp, 0, n), make([]int64, 0, oks)
	for i, o := range s.ops {
		if !writeFuncs[s.f(o)] {
			continue
		}
		w := writeOp{call: s.call(o), ret: s.ret(o), op: int32(i), p: int32(s.process(o)), ok: s.typ(o) == history.OK}
		tl.byCall = append(tl.byCall, w)
		if w.ok {
			tl.oks = append(tl.oks, w.ret)
		}
		if o.done >= 0 {
			tl.first = min(tl.first, w.ret)
		}
	}
	slices.SortStableFunc(tl.byCall, func(a, b writeOp) int { return cmpInt64(a.call, b.call) })
	slices.Sort(tl.oks)
	tl.after = acksAfter(tl.byCall)
	return tl
}

// acksAfter is, for each write of ws (in invoke order), the first
// acknowledgement of a write invoked strictly after it (MaxInt64: none).
func acksAfter(ws []writeOp) []int64 {
	after := make([]int64, len(ws))
	next := int64(math.MaxInt64) // first ack of the writes invoked after the current instant
	for i := len(ws) - 1; i >= 0; {
		j, group := i, next
		for ; j >= 0 && ws[j].call == ws[i].call; j-- {
			after[j] = next
			if ws[j].ok {
				group = min(group, ws[j].ret)
			}
		}
		i, next = j, group
	}
	return after
}

// Check measures every window.
func (c RTO) Check(ctx context.Context, in *Input) Verdict {
	tl := buildTimeline(in.index().ops)
	if tl.first == math.MaxInt64 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no completed writes in the history"}
	}
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	ws := faultWindows(in.Events)
	spans, clients := tl.outages(), tl.clientOutages()
	var out []Window
	for i := range ws {
		until := int64(math.MaxInt64)
		if i+1 < len(ws) {
			until = ws[i+1].start
		}
		if ws[i].healed > 0 {
			until = ws[i].healed
		}
		out = append(out, tl.clusterOutage(spans, &ws[i], until, thresholdNS(in.Thresholds.RTO)),
			tl.worstClient(clients, &ws[i], until))
		if ws[i].healed > 0 {
			prev := int64(0)
			if i > 0 {
				prev = ws[i-1].healed
			}
			out = append(out, tl.healRTO(&ws[i], prev, thresholdNS(in.Thresholds.HealRTO)))
		}
	}
	return windowsVerdict(c.Name(), out, in.Thresholds.RTO != nil || in.Thresholds.HealRTO != nil)
}

// firstAfter is the index of the first entry of ts at or after t.
func firstAfter(ts []int64, t int64) int {
	return sort.Search(len(ts), func(i int) bool { return ts[i] >= t })
}

func (tl *writeTimeline) healRTO(w *faultWindow, prevHeal int64, th *int64) Window {
	win := Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: metricRTOHeal, Threshold: th}
	from := max(prevHeal, w.start-baselineSpan, tl.first)
	span := w.start - from
	need := 1.0 // below a second of baseline: the first ok write is full service
	if span >= rateWindow {
		n := firstAfter(tl.oks, w.start) - firstAfter(tl.oks, from)
		need = max(1, fullShare*float64(n)*float64(rateWindow)/float64(span))
	}
	j := firstAfter(tl.oks, w.healed)
	for k := j; k < len(tl.oks); k++ {
		t := tl.oks[k]
		if need > 1 && t+rateWindow > tl.end {
			break
		}
		if float64(firstAfter(tl.oks, t+rateWindow)-k) >= need {
			win.Value = t - w.healed
			win.Note = fmt.Sprintf("full service (≥ %.1f ok writes/s) from %s", need, nsString(t))
			return judge(win, false)
		}
	}
	return notRecovered(win, tl.end-w.healed)
}

// judge sets a window's status from its value and threshold: Measured
// without a threshold, Invalid above it, else Unknown when the value is
// only a lower bound, Valid otherwise.
func judge(w Window, lowerBound bool) Window {
	switch {
	case w.Threshold == nil:
		w.Status = Measured
	case w.Value > *w.Threshold:
		w.Status = Invalid
	case lowerBound:
		w.Status = Unknown
	default:
		w.Status = Valid
	}
	return w
}

func notRecovered(w Window, lower int64) Window {
	w.Value, w.Note = lower, notRecoveredF
	return judge(w, true)
}
