package reports

import (
	"faultline.dev/faultline/history"
)

// builder folds history events into the model's series in one pass.
type builder struct {
	counts  Counts
	end     int64
	pending map[int]int64 // process → latency start of its outstanding op
	lat     *latencySeries
	faults  *faultTracker
	lanes   *laneTracker
	marks   []Mark
	cluster []ClusterMark
	credits creditTracker
	backups []BackupMark
}

func newBuilder(nodes []MetaNode) *builder {
	return &builder{
		pending: map[int]int64{},
		lat:     newLatencySeries(),
		faults:  newFaultTracker(),
		lanes:   newLaneTracker(nodes),
	}
}

func (b *builder) add(e *history.Event) {
	b.counts.Events++
	t := max(e.Time, 0)
	b.end = max(b.end, t)
	switch e.Type {
	case history.Invoke:
		b.counts.Invoke++
		start := t
		if e.Intended > 0 {
			start = e.Intended
		}
		b.pending[e.Process] = start
	case history.OK, history.Fail, history.Info:
		b.complete(e, t)
	case history.Fault:
		b.counts.Faults++
		if e.Fault != nil {
			b.faults.add(t, e.Fault)
		}
	case history.Probe:
		b.counts.Probes++
		if e.Probe != nil {
			b.lanes.add(t, e.Probe)
		}
	case history.Mark:
		b.marks = append(b.marks, Mark{Time: t, Name: markName(e)})
	case history.Cluster:
		if e.Cluster != nil {
			b.cluster = append(b.cluster, ClusterMark{Time: t, Node: e.Node, ClusterEvent: *e.Cluster})
		}
	case history.Sample:
		b.credits.add(t, e)
	case history.Backup:
		if e.Backup != nil {
			b.backups = append(b.backups, BackupMark{BackupEvent: *e.Backup})
		}
	}
}

func (b *builder) complete(e *history.Event, t int64) {
	switch e.Type {
	case history.OK:
		b.counts.OK++
	case history.Fail:
		b.counts.Fail++
	case history.Info:
		b.counts.Info++
	}
	sec := t / 1e9
	b.lat.count(sec, e.Type)
	start, ok := b.pending[e.Process]
	if !ok {
		return
	}
	delete(b.pending, e.Process)
	b.lat.latency(sec, max(t-start, 0))
}

func markName(e *history.Event) string {
	if e.F != "" {
		return e.F
	}
	s := string(e.Value)
	if len(s) >= 2 && s[0] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// finish stores the folded series into m.
func (b *builder) finish(m *Model) {
	b.counts.Pending = int64(len(b.pending))
	m.Counts = b.counts
	m.End = b.end
	m.Seconds = b.lat.finish(b.end)
	m.Faults = b.faults.finish(b.end)
	m.Timeline = b.lanes.finish(b.end)
	m.Marks = b.marks
	m.Cluster = b.cluster
	b.credits.finish(m)
	m.Backups = b.backups
}
