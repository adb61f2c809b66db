package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"faultline.dev/faultline/history"
)

// Fault kinds of the backup drill, as the history names them (the
// scenarios.Fault* constants are these).
const (
	KindDisaster = "disaster"
	KindRestore  = "restore"
)

// Metrics of the restore check's windows.
const (
	metricRPOSchedule = "rpo-schedule"
	metricRTORestore  = "rto-restore"
)

// Restore verifies a backup-and-restore drill: the first disaster of the
// history, the restore after it and the backup it restored (named by the
// restore's evidence, else the latest backup completed before the restore).
//
//   - the cut (restoreCut): the data restored is exactly a consistent cut
//     of what was written before the disaster; any contradiction is Invalid;
//   - rpo: the acknowledged writes lost and how far back they reach, as the
//     rpo check measures them with the disaster as the moment:
//     max(disaster, last lost ack) − first lost ack, judged by the rpo
//     threshold (any loss breaches rpo: 0s);
//   - rpo-schedule: the same value against what the schedule promises, its
//     interval plus the longest completed backup (the next backup would
//     have been complete by then); exceeding it means backups failed or
//     fell behind: Invalid;
//   - rto-restore: from the disaster's start to the first acknowledged
//     write invoked after it took full effect (its nodes are destroyed one
//     by one; a write a last survivor acknowledged meanwhile is not the
//     service back), judged by the rto threshold (still down at the end
//     of the history: a lower bound, Invalid past the threshold, else
//     Unknown).
//
// A disaster that spared some nodes has no cut: its restored nodes rejoin
// the survivors, and their data is the survivors'. Valid, vacuously, when
// the history holds no restore; Unknown when the restore did
// not complete or no backup had, or without a final read.
type Restore struct{}

// Name is "restore".
func (Restore) Name() string { return NameRestore }

// drillEvents is what the history says about one drill.
type drillEvents struct {
	disasterID     string
	disaster       int64 // its start
	destroyed      int64 // its effect shown: every selected node down (else its start)
	targets        []string
	restoreStart   int64
	restoreEnd     int64  // effect shown; 0 = not
	restoreErr     string // inject or verify failure
	restoreBackup  string // the backup's id from the restore's evidence
	restoreSummary string
	backups        []*history.BackupEvent
}

type restoreEvidence struct {
	Backup       *history.BackupEvent `json:"backup"`
	Disaster     int64                `json:"disaster"`
	RestoreStart int64                `json:"restoreStart"`
	RestoreEnd   int64                `json:"restoreEnd"`
	Restore      string               `json:"restore,omitempty"` // the restore's own summary
	BackupAge    int64                `json:"backupAge"`         // disaster − the backup's end
	Cut          *restoreCut          `json:"cut"`
	// Survivors are the nodes the disaster spared: the restored nodes
	// rejoined them, so the data is theirs, not the backup's cut, and the
	// cut is not judged (lost-writes judges every write).
	Survivors      []string `json:"survivors,omitempty"`
	Backups        int      `json:"backups"`
	BackupsFailed  int      `json:"backupsFailed"`
	LongestBackup  int64    `json:"longestBackup"`
	ScheduleBound  int64    `json:"scheduleBound"` // interval + longest backup
	FirstWriteBack int64    `json:"firstWriteBack,omitempty"`
}

// Check verifies the first drill of the history.
func (c Restore) Check(ctx context.Context, in *Input) Verdict {
	d, ok := findDrill(in.Events)
	if !ok {
		return Verdict{Check: c.Name(), Status: Valid, Summary: "no disaster followed by a restore in the history: nothing to contradict"}
	}
	switch {
	case d.restoreEnd == 0:
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "the restore did not complete: " + d.restoreErr}
	case in.ledger() == nil || len(in.ledger().nodes) == 0:
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no final read of any node: the restored data is unknown"}
	}
	b := d.restored()
	if b == nil {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no completed backup before the restore"}
	}
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	ev := d.evidence(b)
	ev.Cut = cutOf(in.ledger(), b.Start, b.End, d.destroyed)
	ev.FirstWriteBack = firstAckInvokedAfter(in.index().ops, d.destroyed)
	ev.Survivors = survivors(in.Final, d.targets)
	ws := restoreWindows(d, ev, in.Thresholds)
	v := windowsVerdict(c.Name(), ws, true)
	v.Evidence = toJSON(ev)
	cut := fmt.Sprintf("%s (%s lsn %d) restored: a consistent cut", b.ID, b.GTID, b.LSN)
	switch n := ev.Cut.Violations; {
	case len(ev.Survivors) > 0:
		cut = fmt.Sprintf("%s (%s lsn %d) restored onto the destroyed nodes, which rejoined %v: no cut to judge",
			b.ID, b.GTID, b.LSN, ev.Survivors)
	case n > 0:
		v.Status = Invalid
		cut = fmt.Sprintf("%s (%s lsn %d) restored: NOT a consistent cut, %d writes contradict it", b.ID, b.GTID, b.LSN, n)
	}
	v.Summary = cut + "; " + v.Summary
	return v
}

// survivors are the final nodes the disaster did not target (none when
// the history does not name its targets).
func survivors(f *history.Final, targets []string) []string {
	if len(targets) == 0 {
		return nil
	}
	var out []string
	for _, n := range f.Nodes {
		if !slices.Contains(targets, n.Node) {
			out = append(out, n.Node)
		}
	}
	return out
}

// findDrill reads the first disaster and the first restore after it.
func findDrill(events []history.Event) (*drillEvents, bool) {
	d := &drillEvents{disaster: -1, restoreStart: -1}
	restoreID := ""
	for i := range events {
		e := &events[i]
		switch {
		case e.Type == history.Backup && e.Backup != nil:
			d.backups = append(d.backups, e.Backup)
		case e.Type != history.Fault || e.Fault == nil:
		case e.Fault.Kind == KindDisaster && d.disaster < 0 && e.Fault.Phase == history.FaultStart:
			d.disasterID, d.disaster, d.destroyed, d.targets = e.Fault.ID, e.Time, e.Time, e.Fault.Targets
		case e.Fault.Kind == KindDisaster && e.Fault.ID == d.disasterID && e.Fault.Phase == history.FaultEffect:
			d.destroyed = e.Time
		case e.Fault.Kind == KindRestore && d.disaster >= 0 && (restoreID == "" || e.Fault.ID == restoreID):
			restoreID = e.Fault.ID
			d.restorePhase(e)
		}
	}
	return d, d.restoreStart >= 0
}

func (d *drillEvents) restorePhase(e *history.Event) {
	switch e.Fault.Phase {
	case history.FaultStart:
		d.restoreStart = e.Time
	case history.FaultEffect:
		d.restoreEnd, d.restoreSummary = e.Time, e.Fault.Summary
		var x struct {
			Backup string `json:"backup"`
		}
		if json.Unmarshal(e.Fault.Evidence, &x) == nil {
			d.restoreBackup = x.Backup
		}
	case history.FaultError, history.FaultNoEffect:
		d.restoreErr = e.Fault.Summary
	}
}

// restored is the backup the restore used.
func (d *drillEvents) restored() *history.BackupEvent {
	var latest *history.BackupEvent
	for _, b := range d.backups {
		if !b.Completed() {
			continue
		}
		if b.ID == d.restoreBackup {
			return b
		}
		if b.End <= d.restoreStart && (latest == nil || b.End > latest.End) {
			latest = b
		}
	}
	return latest
}

func (d *drillEvents) evidence(b *history.BackupEvent) *restoreEvidence {
	ev := &restoreEvidence{Backup: b, Disaster: d.disaster, RestoreStart: d.restoreStart, RestoreEnd: d.restoreEnd,
		Restore: d.restoreSummary, BackupAge: d.disaster - b.End}
	for _, x := range d.backups {
		ev.Backups++
		if !x.Completed() {
			ev.BackupsFailed++
			continue
		}
		ev.LongestBackup = max(ev.LongestBackup, x.End-x.Start)
	}
	ev.ScheduleBound = b.Every + ev.LongestBackup
	return ev
}

// firstAckInvokedAfter is the first acknowledgement of a write invoked at
// or after t (MaxInt64: none).
func firstAckInvokedAfter(s *opSet, t int64) int64 {
	first := int64(math.MaxInt64)
	for _, o := range s.ops {
		if writeFuncs[s.f(o)] && s.typ(o) == history.OK && s.call(o) >= t {
			first = min(first, s.ret(o))
		}
	}
	return first
}

// restoreWindows are the drill's rpo, rpo-schedule and rto-restore.
func restoreWindows(d *drillEvents, ev *restoreEvidence, th Thresholds) []Window {
	w := []faultWindow{{id: d.disasterID, kind: KindDisaster, start: d.disaster}}
	rpo := rpoWindows(w, ev.Cut.lost, thresholdNS(th.RPO))[0]
	rpo.End = d.restoreEnd
	sched := rpo
	sched.Metric, sched.Threshold, sched.Status = metricRPOSchedule, &ev.ScheduleBound, Valid
	sched.Note = fmt.Sprintf("interval %s + longest backup %s; backup %s ended %s before the disaster",
		fmtNS(ev.Backup.Every), fmtNS(ev.LongestBackup), ev.Backup.ID, fmtNS(ev.BackupAge))
	if sched.Value > ev.ScheduleBound {
		sched.Status = Invalid
	}
	return []Window{rpo, sched, rtoRestore(d, ev, thresholdNS(th.RTO))}
}

func rtoRestore(d *drillEvents, ev *restoreEvidence, th *int64) Window {
	w := Window{Fault: d.disasterID, Kind: KindDisaster, Start: d.disaster, End: d.restoreEnd, Metric: metricRTORestore,
		Threshold: th, Status: Valid, Note: fmt.Sprintf("restore %s..%s: %s", nsString(d.restoreStart), nsString(d.restoreEnd), d.restoreSummary)}
	open := ev.FirstWriteBack == math.MaxInt64
	if open {
		ev.FirstWriteBack = 0
		w.Value = max(0, d.restoreEnd-d.disaster)
		w.Note = notRecoveredF
	} else {
		w.Value = ev.FirstWriteBack - d.disaster
	}
	switch {
	case th == nil:
		w.Status = Measured
	case w.Value > *th:
		w.Status = Invalid
	case open:
		w.Status = Unknown
	}
	return w
}
