package verify

import (
	"fmt"
	"math"
	"sort"
)

// clusterOutage is the window's rto: the longest outage that begins before
// until and ends after the fault's start (see RTO). An outage opened by
// byCall[i] lasts until nextAck[i], which never decreases with i, so the
// outages ending after the start are a suffix of byCall, and the first
// outage never recovered is the longest of those that follow it.
func (tl *writeTimeline) clusterOutage(w *faultWindow, until int64, th *int64) Window {
	win := Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: metricRTO, Threshold: th}
	from := sort.Search(len(tl.nextAck), func(i int) bool { return tl.nextAck[i] > w.start })
	best := -1
	for i := from; i < len(tl.byCall) && tl.byCall[i].call < until; i++ {
		c := &tl.byCall[i]
		if c.ok {
			continue
		}
		if best < 0 || tl.outageLen(i, w.start) > tl.outageLen(best, w.start) {
			best = i
		}
		if tl.nextAck[i] == math.MaxInt64 {
			break
		}
	}
	if best < 0 {
		win.Note = noOutageNote
		return judge(win, false)
	}
	b := &tl.byCall[best]
	win.Value = tl.outageLen(best, w.start)
	opened := fmt.Sprintf("from %s (write not acknowledged, client %d on %s)", nsString(b.call), b.p, tl.nodeOf(best))
	if tl.nextAck[best] == math.MaxInt64 {
		win.Note = "no write acknowledged " + opened + "; " + notRecoveredF
		return judge(win, true)
	}
	win.Note = fmt.Sprintf("no new write acknowledged %s until %s", opened, nsString(tl.nextAck[best]))
	return judge(win, false)
}

// outageLen is the length of the outage opened by byCall[i], counted from
// start at the earliest; to the end of the history when it never ended.
func (tl *writeTimeline) outageLen(i int, start int64) int64 {
	end := tl.nextAck[i]
	if end == math.MaxInt64 {
		end = tl.end
	}
	return end - max(tl.byCall[i].call, start)
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
