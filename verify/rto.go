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

// RTO measures, per fault window, how long writes were unavailable:
//
//   - rto: among the writes that completed fail or info after the fault
//     started (and before the next fault started), the outage begins at the
//     earliest invoke (or the fault's start, if later); RTO runs from the
//     fault's start to the acknowledgement of the first write invoked since
//     the outage began — the service is back when a new write succeeds.
//     No failed write: 0, "no outage".
//   - rto-heal (healed faults): from the heal to full service, the first ok
//     write at or after the heal from which the next second holds at least
//     80 % of the pre-fault ok-write rate (measured over up to 10 s before
//     the fault, after the previous heal and the first completed write). With under a second of baseline,
//     full service is the first ok write after the heal.
//
// A window that never recovers before the end of the history has the time
// to the end as its value (a lower bound): Invalid when that exceeds the
// threshold, Unknown otherwise. Times are the harness's clock only.
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

// completion is one write's completion time, invoke time and whether it
// was ok.
type completion struct {
	t, call int64
	ok      bool
}

// writeTimeline is every completed write sorted by completion time, and the
// ok ones' times alone.
type writeTimeline struct {
	all []completion
	oks []int64
	end int64
}

func buildTimeline(s *opSet) writeTimeline {
	tl := writeTimeline{end: s.end}
	n, oks := 0, 0
	for _, o := range s.ops {
		if o.done >= 0 && writeFuncs[s.f(o)] {
			n++
			if s.typ(o) == history.OK {
				oks++
			}
		}
	}
	tl.all, tl.oks = make([]completion, 0, n), make([]int64, 0, oks)
	for _, o := range s.ops {
		if o.done >= 0 && writeFuncs[s.f(o)] {
			tl.all = append(tl.all, completion{t: s.ret(o), call: s.call(o), ok: s.typ(o) == history.OK})
		}
	}
	slices.SortStableFunc(tl.all, func(a, b completion) int { return cmpInt64(a.t, b.t) })
	for _, c := range tl.all {
		if c.ok {
			tl.oks = append(tl.oks, c.t)
		}
	}
	return tl
}

// Check measures every window.
func (c RTO) Check(ctx context.Context, in *Input) Verdict {
	tl := buildTimeline(in.index().ops)
	if len(tl.all) == 0 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no completed writes in the history"}
	}
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	ws := faultWindows(in.Events)
	var out []Window
	for i := range ws {
		scope := int64(1<<63 - 1)
		if i+1 < len(ws) {
			scope = ws[i+1].start
		}
		out = append(out, tl.rto(&ws[i], scope, thresholdNS(in.Thresholds.RTO)))
		if ws[i].healed > 0 {
			prev := int64(0)
			if i > 0 {
				prev = ws[i-1].healed
			}
			out = append(out, tl.healRTO(&ws[i], prev, thresholdNS(in.Thresholds.HealRTO)))
		}
	}
	return windowsVerdict(c.Name(), out, "rto")
}

// firstAfter is the index of the first entry of ts at or after t.
func firstAfter(ts []int64, t int64) int {
	return sort.Search(len(ts), func(i int) bool { return ts[i] >= t })
}

func (tl *writeTimeline) rto(w *faultWindow, scope int64, th *int64) Window {
	win := Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: "rto", Threshold: th, Status: Valid}
	from := sort.Search(len(tl.all), func(i int) bool { return tl.all[i].t >= w.start })
	outage := int64(math.MaxInt64)
	for _, c := range tl.all[from:] {
		if c.t >= scope {
			break
		}
		if !c.ok {
			outage = min(outage, max(c.call, w.start))
		}
	}
	if outage == math.MaxInt64 {
		win.Note = noOutageNote
		return win
	}
	for _, c := range tl.all[from:] {
		if c.ok && c.call >= outage {
			win.Value = c.t - w.start
			win.Note = fmt.Sprintf("outage from %s, first write invoked since then acknowledged at %s",
				nsString(outage), nsString(c.t))
			return judge(win, th)
		}
	}
	return notRecovered(win, tl.end-w.start, th)
}

func (tl *writeTimeline) healRTO(w *faultWindow, prevHeal int64, th *int64) Window {
	win := Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: metricRTOHeal, Threshold: th, Status: Valid}
	from := max(prevHeal, w.start-baselineSpan, tl.all[0].t)
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
			return judge(win, th)
		}
	}
	return notRecovered(win, tl.end-w.healed, th)
}

func judge(w Window, th *int64) Window {
	if th != nil && w.Value > *th {
		w.Status = Invalid
	}
	return w
}

func notRecovered(w Window, lower int64, th *int64) Window {
	w.Value, w.Note, w.Status = lower, notRecoveredF, Unknown
	if th != nil && lower > *th {
		w.Status = Invalid
	}
	return w
}

// metricRTOHeal is the window from a heal to full service.
const metricRTOHeal = "rto-heal"
