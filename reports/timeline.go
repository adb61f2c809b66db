package reports

import (
	"encoding/json"
	"sort"

	"faultline.dev/faultline/history"
)

// Effect is what the history says about a fault's effect.
type Effect string

// Effects of a fault.
const (
	EffectVerified   Effect = "verified"   // an effect event carried proof
	EffectNoEffect   Effect = "no-effect"  // the effect could not be shown
	EffectError      Effect = "error"      // inject failed
	EffectUnverified Effect = "unverified" // nothing was recorded either way
)

// FaultWindow is one fault from start to heal, as the history recorded it.
type FaultWindow struct {
	ID       string
	Kind     string
	Targets  []string
	Selector string
	Summary  string
	Start    int64
	End      int64 // healed, or the end of the history when never healed
	Healed   bool
	Action   bool // an operator action (promote): a point in time, never healed
	Effect   Effect
	EffectAt int64
	Evidence json.RawMessage
}

// faultTracker folds fault lifecycle events into windows, in start order.
type faultTracker struct {
	byID  map[string]*FaultWindow
	order []*FaultWindow
}

func newFaultTracker() *faultTracker {
	return &faultTracker{byID: map[string]*FaultWindow{}}
}

func (f *faultTracker) get(t int64, e *history.FaultEvent) *FaultWindow {
	w := f.byID[e.ID]
	if w == nil {
		w = &FaultWindow{ID: e.ID, Kind: e.Kind, Start: t, Effect: EffectUnverified}
		f.byID[e.ID] = w
		f.order = append(f.order, w)
	}
	if len(e.Targets) > 0 {
		w.Targets = append([]string(nil), e.Targets...)
	}
	if e.Selector != "" {
		w.Selector = e.Selector
	}
	if e.Summary != "" && (w.Summary == "" || e.Phase == history.FaultStart) {
		w.Summary = e.Summary
	}
	return w
}

func (f *faultTracker) add(t int64, e *history.FaultEvent) {
	w := f.get(t, e)
	switch e.Phase {
	case history.FaultStart:
		w.Start = t
	case history.FaultEffect, history.FaultNoEffect, history.FaultError:
		w.Effect = map[history.FaultPhase]Effect{
			history.FaultEffect: EffectVerified, history.FaultNoEffect: EffectNoEffect, history.FaultError: EffectError,
		}[e.Phase]
		w.EffectAt = t
		if len(e.Evidence) > 0 {
			w.Evidence = append(json.RawMessage(nil), e.Evidence...)
		}
		if e.Phase != history.FaultEffect && e.Summary != "" {
			w.Summary = e.Summary
		}
	case history.FaultHealed:
		w.End, w.Healed = t, true
	case history.FaultAction:
		w.Start, w.End, w.Action = t, t, true
		if len(e.Evidence) > 0 {
			w.Evidence = append(json.RawMessage(nil), e.Evidence...)
		}
	}
}

func (f *faultTracker) finish(end int64) []FaultWindow {
	out := make([]FaultWindow, 0, len(f.order))
	for _, w := range f.order {
		if !w.Healed && !w.Action {
			w.End = max(end, w.Start)
		}
		out = append(out, *w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// NodeTimeline is one node's observed roles over time.
type NodeTimeline struct {
	Node     string
	Zone     string
	Segments []RoleSegment
}

// RoleSegment is a stretch of time in which a node's probes showed one role.
type RoleSegment struct {
	Role     string
	Start    int64
	End      int64
	Writable bool   // the first sample of the segment said writable
	Detail   string // the first sample's cluster status / local state / error
}

// Roles a lane shows when the probe did not name one.
const (
	RoleDown    = "down"
	RoleUnknown = "unknown"
)

// laneTracker folds probe samples into per-node role segments.
type laneTracker struct {
	lanes map[string]*NodeTimeline
	order []string
}

func newLaneTracker(nodes []MetaNode) *laneTracker {
	l := &laneTracker{lanes: map[string]*NodeTimeline{}}
	for _, n := range nodes {
		l.lane(n.Name).Zone = n.Zone
	}
	return l
}

func (l *laneTracker) lane(node string) *NodeTimeline {
	tl := l.lanes[node]
	if tl == nil {
		tl = &NodeTimeline{Node: node}
		l.lanes[node] = tl
		l.order = append(l.order, node)
	}
	return tl
}

func (l *laneTracker) add(t int64, p *history.ProbeEvent) {
	tl := l.lane(p.Node)
	role := probeRole(p)
	if n := len(tl.Segments); n > 0 {
		last := &tl.Segments[n-1]
		last.End = max(last.End, t)
		if last.Role == role {
			return
		}
	}
	tl.Segments = append(tl.Segments, RoleSegment{
		Role: role, Start: t, End: t, Writable: p.Writable, Detail: probeDetail(p),
	})
}

func probeRole(p *history.ProbeEvent) string {
	switch {
	case p.Role != "":
		return p.Role
	case !p.Reachable:
		return RoleDown
	}
	return RoleUnknown
}

func probeDetail(p *history.ProbeEvent) string {
	for _, s := range []string{p.Err, p.ClusterStatus, p.LocalState} {
		if s != "" {
			return s
		}
	}
	return ""
}

// finish extends each lane's last segment to the end of the history.
func (l *laneTracker) finish(end int64) []NodeTimeline {
	out := make([]NodeTimeline, 0, len(l.order))
	for _, name := range l.order {
		tl := l.lanes[name]
		if n := len(tl.Segments); n > 0 {
			tl.Segments[n-1].End = max(tl.Segments[n-1].End, end)
		}
		out = append(out, *tl)
	}
	return out
}
