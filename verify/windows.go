package verify

import (
	"math"
	"sort"
	"time"

	"faultline.dev/faultline/history"
)

// faultWindow is one fault of the timeline, from its start to its heal, or
// a standalone operator action (promote) outside any fault.
type faultWindow struct {
	id, kind string
	start    int64
	healed   int64   // 0: never healed
	actions  []int64 // operator actions (failover moments) inside the window
	action   bool    // the window is itself an operator action
}

// moment is when the fault took effect for RPO: the first failover inside
// the window, else its start.
func (w *faultWindow) moment() int64 {
	if len(w.actions) > 0 {
		return w.actions[0]
	}
	return w.start
}

// end is the heal time, or MaxInt64 when the fault was never healed.
func (w *faultWindow) end() int64 {
	if w.healed > 0 {
		return w.healed
	}
	return math.MaxInt64
}

// faultWindows groups fault events by fault id, sorted by start. Actions
// that happen inside a fault become its failover moments; the others are
// windows of their own.
func faultWindows(events []history.Event) []faultWindow {
	byID := map[string]*faultWindow{}
	var order []string
	for i := range events {
		e := &events[i]
		if e.Type != history.Fault || e.Fault == nil {
			continue
		}
		w := byID[e.Fault.ID]
		if w == nil {
			w = &faultWindow{id: e.Fault.ID, kind: e.Fault.Kind, start: e.Time}
			byID[e.Fault.ID] = w
			order = append(order, e.Fault.ID)
		}
		switch e.Fault.Phase {
		case history.FaultHealed:
			if w.healed == 0 {
				w.healed = e.Time
			}
		case history.FaultAction:
			w.action = true
		}
	}
	var faults, actions []*faultWindow
	for _, id := range order {
		if byID[id].action {
			actions = append(actions, byID[id])
		} else {
			faults = append(faults, byID[id])
		}
	}
	return placeActions(faults, actions)
}

func placeActions(faults, actions []*faultWindow) []faultWindow {
	var out []faultWindow
	for _, a := range actions {
		placed := false
		for _, f := range faults {
			if f.start <= a.start && a.start <= f.end() {
				f.actions = append(f.actions, a.start)
				placed = true
				break
			}
		}
		if !placed {
			out = append(out, *a)
		}
	}
	for _, f := range faults {
		sort.Slice(f.actions, func(i, j int) bool { return f.actions[i] < f.actions[j] })
		out = append(out, *f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// windowOf is the window an event at time t belongs to: the last window
// started at or before t, or the first window when t precedes them all.
func windowOf(ws []faultWindow, t int64) int {
	i := sort.Search(len(ws), func(i int) bool { return ws[i].start > t })
	return max(i-1, 0)
}

// thresholdNS is a threshold as a Window carries it (ns), or nil.
func thresholdNS(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	v := int64(*d)
	return &v
}
