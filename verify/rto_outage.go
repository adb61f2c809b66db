package verify

import (
	"fmt"
	"math"
	"sort"
)

// outageSpan is a span in which the cluster acknowledged no new write
// while a write not acknowledged was in flight (see RTO): from the invoke
// of byCall[last] to the first acknowledgement of a write invoked after it
// (MaxInt64: none). byCall[failed] is one write not acknowledged in it.
type outageSpan struct {
	from, to     int64
	last, failed int
}

// outages lists the cluster's outage spans by their beginning. A span
// begins at an acknowledged write (or the first write) and ends at after[i],
// which never decreases with i; the writes invoked before its end are a
// growing prefix of byCall, whose latest completion among those not
// acknowledged says whether one was in flight in the span.
func (tl *writeTimeline) outages() []outageSpan {
	var out []outageSpan
	j, failed, latest := 0, -1, int64(math.MinInt64)
	for i := range tl.byCall {
		if !tl.byCall[i].ok && i > 0 {
			continue
		}
		from, to := tl.byCall[i].call, tl.after[i]
		for ; j < len(tl.byCall) && tl.byCall[j].call < to; j++ {
			if c := &tl.byCall[j]; !c.ok && c.ret > latest {
				failed, latest = j, c.ret
			}
		}
		if latest > from {
			out = append(out, outageSpan{from: from, to: to, last: i, failed: failed})
		}
	}
	return out
}

// clusterOutage is the window's rto: the longest outage span that begins
// before until and ends after the fault's start. Spans end in order, so
// those ending after the start follow one another.
func (tl *writeTimeline) clusterOutage(spans []outageSpan, w *faultWindow, until int64, th *int64) Window {
	win := Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: metricRTO, Threshold: th}
	length := func(s *outageSpan) int64 { return min(s.to, tl.end) - max(s.from, w.start) }
	var best, open *outageSpan
	for k := sort.Search(len(spans), func(k int) bool { return spans[k].to > w.start }); k < len(spans) && spans[k].from < until; k++ {
		s := &spans[k]
		if best == nil || length(s) > length(best) {
			best = s
		}
		if s.to == math.MaxInt64 && open == nil {
			open = s
		}
	}
	if best == nil {
		win.Note = noOutageNote
		return judge(win, false)
	}
	win.Value = length(best)
	f := &tl.byCall[best.failed]
	win.Note = fmt.Sprintf("no new write acknowledged from %s (invoke of the last acknowledged write) until %s; not acknowledged meanwhile: e.g. client %d's write on %s invoked at %s",
		nsString(best.from), nsString(best.to), f.p, tl.nodeOf(best.failed), nsString(f.call))
	switch {
	case open == best:
		win.Note = fmt.Sprintf("no new write acknowledged from %s; %s", nsString(best.from), notRecoveredF)
	case open != nil:
		win.Note += fmt.Sprintf("; a later outage, from %s, was %s", nsString(open.from), notRecoveredF)
	}
	return judge(win, open != nil)
}

// clientOutage is one client's span without service: from the invoke of its
// first write not acknowledged to the acknowledgement of its next
// acknowledged write (end MaxInt64 when there was none). from and to are
// those writes' indexes in byCall (to < 0: none).
type clientOutage struct {
	begin, end int64
	from, to   int
	p          int
}

// clientOutages lists every client's outages by their beginning.
func (tl *writeTimeline) clientOutages() []clientOutage {
	var out []clientOutage
	open := map[int32]int{} // client → its open outage in out
	for i := range tl.byCall {
		c := &tl.byCall[i]
		if c.p < 0 {
			continue
		}
		j, isOpen := open[c.p]
		switch {
		case !c.ok && !isOpen:
			open[c.p] = len(out)
			out = append(out, clientOutage{begin: c.call, end: math.MaxInt64, from: i, to: -1, p: int(c.p)})
		case c.ok && isOpen:
			out[j].end, out[j].to = c.ret, i
			delete(open, c.p)
		}
	}
	return out
}

// worstClient is the window's rto-client: the longest client outage that
// begins before until and ends after the fault's start, counted from the
// fault's start at the earliest. It has no threshold.
func (tl *writeTimeline) worstClient(outs []clientOutage, w *faultWindow, until int64) Window {
	win := Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: metricRTOClient}
	length := func(o *clientOutage) int64 { return min(o.end, tl.end) - max(o.begin, w.start) }
	var best *clientOutage
	for k := range outs {
		o := &outs[k]
		if o.begin >= until {
			break
		}
		if o.end > w.start && (best == nil || length(o) > length(best)) {
			best = o
		}
	}
	if best == nil {
		win.Note = noOutageNote
		return judge(win, false)
	}
	win.Value, win.Client = length(best), &best.p
	opened := fmt.Sprintf("client %d: first write not acknowledged invoked at %s on %s", best.p, nsString(best.begin), tl.nodeOf(best.from))
	if best.to < 0 {
		win.Note = opened + "; " + notRecoveredF
		return judge(win, true)
	}
	win.Note = fmt.Sprintf("%s, its next acknowledged write acknowledged at %s on %s", opened, nsString(best.end), tl.nodeOf(best.to))
	return judge(win, false)
}

func (tl *writeTimeline) nodeOf(i int) string { return tl.s.node(tl.s.ops[tl.byCall[i].op]) }
