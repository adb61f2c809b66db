package verify

import (
	"context"
	"slices"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

// drill is a hand-built backup-and-restore run: a write every 0.25 s from
// 0 s to 20 s (values 1…80, each acknowledged 50 ms after its invoke), a
// backup every 10 s from 2 s (each 1 s long), every node destroyed at 20 s,
// the restore from 21 s to 40 s, and writes again from 41 s (values 1001…).
type drill struct {
	h        hist
	present  map[int64]bool // what the restored nodes hold
	restored string         // the backup the restore names
}

const (
	drillDisaster = 20.0
	drillWrites   = 80
)

func newDrill() *drill {
	d := &drill{present: map[int64]bool{}, restored: "backup-2"}
	for i := 1; i <= drillWrites; i++ {
		call := float64(i-1) * 0.25
		d.h.add(i%4, "n1", int64(i), call, history.OK, call+0.05)
	}
	for i := 0; i < 8; i++ { // after the restore
		call := 41 + float64(i)*0.25
		d.h.add(i%4, "n1", int64(1001+i), call, history.OK, call+0.05)
		d.present[int64(1001+i)] = true
	}
	d.backup("backup-1", 2, 3, "")
	d.backup("backup-2", 12, 13, "")
	d.h.fault(drillDisaster, "step-1", KindDisaster, history.FaultStart)
	d.h.fault(drillDisaster+0.5, "step-1", KindDisaster, history.FaultEffect)
	d.h.add(1, "n3", 500, drillDisaster+0.1, history.OK, drillDisaster+0.15) // n3 not yet destroyed: lost

	return d
}

func (d *drill) backup(id string, start, end float64, err string) {
	d.h.ev = append(d.h.ev, history.Event{Time: sec(end), Process: history.ProcessBackup, Type: history.Backup,
		Backup: &history.BackupEvent{ID: id, Node: "n1", Every: sec(10), Start: sec(start), End: sec(end),
			GTID: "uuid:" + id, LSN: 100, Err: err}})
}

// restoreUpTo makes the restored data every value invoked before t.
func (d *drill) restoreUpTo(t float64) *drill {
	for i := 1; i <= drillWrites; i++ {
		if float64(i-1)*0.25 < t {
			d.present[int64(i)] = true
		}
	}
	return d
}

func (d *drill) input(rpo, rto *time.Duration) *Input {
	d.h.fault(21, "step-2", KindRestore, history.FaultStart)
	d.h.ev = append(d.h.ev, history.Event{Time: sec(40), Process: history.ProcessNemesis, Type: history.Fault,
		Fault: &history.FaultEvent{ID: "step-2", Kind: KindRestore, Phase: history.FaultEffect,
			Summary: d.restored + " restored", Evidence: raw(map[string]string{"backup": d.restored})}})
	var vals []int64
	for v := range d.present {
		vals = append(vals, v)
	}
	fin := ledgerFinal(map[string][]int64{"n1": vals, "n2": vals, "n3": vals})
	return &Input{Events: d.h.events(), Final: fin, Thresholds: Thresholds{RPO: rpo, RTO: rto}}
}

func TestRestoreConsistentCutMeasuresRPOAndRTO(t *testing.T) {
	// backup-2 ran 12..13 s: it holds everything invoked before 12.5 s.
	in := newDrill().restoreUpTo(12.5).input(nil, nil)
	v := Restore{}.Check(context.Background(), in)
	wantStatus(t, v, Valid)
	ev := evidence[restoreEvidence](t, v)
	if ev.Cut.Violations != 0 || ev.Cut.Before != 48 || ev.Cut.Lost != 31 {
		t.Fatalf("cut %+v; want no violation, 48 acknowledged before the backup, 31 lost", ev.Cut)
	}
	// lost: values 51..80, acknowledged 12.55 s..19.8 s, and 500, which n3
	// acknowledged at 20.15 s before it was destroyed too.
	if w := window(t, v, NameRPO); w.Value != sec(20.15-12.55) || w.Count != 31 || w.Status != Measured {
		t.Fatalf("rpo window %+v; want 7.6s over 31 lost writes, measured", w)
	}
	if w := window(t, v, metricRPOSchedule); w.Status != Valid || *w.Threshold != sec(11) {
		t.Fatalf("rpo-schedule %+v; want valid within interval 10s + backup 1s", w)
	}
	if w := window(t, v, metricRTORestore); w.Value != sec(41.05-20) || w.Status != Measured {
		t.Fatalf("rto-restore %+v; want 21.05s from the disaster to the first write back", w)
	}
}

func TestRestoreRPOZeroIsBreached(t *testing.T) {
	v := Restore{}.Check(context.Background(), newDrill().restoreUpTo(12.5).input(dur(0), dur(30*time.Second)))
	wantStatus(t, v, Invalid)
	if w := window(t, v, NameRPO); w.Status != Invalid {
		t.Fatalf("rpo %+v; want a breach of rpo 0s", w)
	}
	if w := window(t, v, metricRTORestore); w.Status != Valid {
		t.Fatalf("rto-restore %+v; want within 30s", w)
	}
}

func TestRestoreRejectsWhatNoConsistentCutHolds(t *testing.T) {
	cases := map[string]struct {
		edit  func(d *drill)
		check func(c *restoreCut) bool
	}{
		"acknowledged before the backup, missing": {
			func(d *drill) { delete(d.present, 10) },
			func(c *restoreCut) bool {
				return len(c.BeforeMissing) == 1 && c.BeforeMissing[0].Value == 10 && len(c.NotClosed) == 0
			},
		},
		"invoked after the backup, present": {
			func(d *drill) { d.present[70] = true },
			// and every write acknowledged from 12.5 s until 70 was invoked should be there too
			func(c *restoreCut) bool {
				return len(c.AfterPresent) == 1 && c.AfterPresent[0].Value == 70 && len(c.NotClosed) == 19
			},
		},
		"present after a missing earlier acknowledgement": {
			// 12.25 s (value 50) is missing while 12.5 s (value 51) is present.
			func(d *drill) { delete(d.present, 50); d.present[51] = true },
			func(c *restoreCut) bool { return len(c.NotClosed) == 1 && c.NotClosed[0].Value == 50 },
		},
		"never attempted, present": {
			func(d *drill) { d.present[5000] = true },
			func(c *restoreCut) bool { return c.Unexpected == 1 },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := newDrill().restoreUpTo(12.5)
			tc.edit(d)
			v := Restore{}.Check(context.Background(), d.input(nil, nil))
			wantStatus(t, v, Invalid)
			if ev := evidence[restoreEvidence](t, v); !tc.check(ev.Cut) || ev.Cut.Violations == 0 {
				t.Fatalf("cut %+v", ev.Cut)
			}
		})
	}
}

func TestRestoreRPOPastTheScheduleWhenABackupFailed(t *testing.T) {
	d := newDrillWith(func(x *drill) {
		x.backup("backup-1", 2, 3, "")
		x.backup("backup-2", 12, 13, "mariadb-backup: exit status 1")
	}).restoreUpTo(2.5)
	v := Restore{}.Check(context.Background(), d.input(nil, nil))
	wantStatus(t, v, Invalid)
	w := window(t, v, metricRPOSchedule)
	if w.Status != Invalid || w.Value != sec(20.15-2.55) {
		t.Fatalf("rpo-schedule %+v; want 17.6s, past interval + backup", w)
	}
	if ev := evidence[restoreEvidence](t, v); ev.BackupsFailed != 1 || ev.Backup.ID != "backup-1" {
		t.Fatalf("evidence %+v; want backup-1 restored, 1 failed backup", ev)
	}
}

// newDrillWith is newDrill with its own backups.
func newDrillWith(backups func(d *drill)) *drill {
	d := newDrill()
	var keep []history.Event
	for _, e := range d.h.ev {
		if e.Type != history.Backup {
			keep = append(keep, e)
		}
	}
	d.h.ev = keep
	backups(d)
	d.restored = "backup-1"
	return d
}

func TestRestoreWithoutADrillOrWithoutItsEnd(t *testing.T) {
	var h hist
	h.add(0, "n1", 1, 0, history.OK, 0.1)
	in := &Input{Events: h.events(), Final: ledgerFinal(map[string][]int64{"n1": {1}})}
	wantStatus(t, Restore{}.Check(context.Background(), in), Valid)

	d := newDrill().restoreUpTo(12.5)
	d.h.fault(21, "step-2", KindRestore, history.FaultStart)
	d.h.ev = append(d.h.ev, history.Event{Time: sec(30), Process: history.ProcessNemesis, Type: history.Fault,
		Fault: &history.FaultEvent{ID: "step-2", Kind: KindRestore, Phase: history.FaultError, Summary: "inject: no completed backup"}})
	in = &Input{Events: d.h.events(), Final: ledgerFinal(map[string][]int64{"n1": {1}})}
	wantStatus(t, Restore{}.Check(context.Background(), in), Unknown)
}

// One node destroyed: it is restored and rejoins the two that survived, so
// the data holds every write and no cut is judged.
func TestRestoreOfOneNodeRejoiningSurvivors(t *testing.T) {
	d := newDrill().restoreUpTo(drillDisaster + 1)
	d.present[500] = true
	d.h.ev = slices.DeleteFunc(d.h.ev, func(e history.Event) bool { return e.Type == history.Fault })
	for _, ph := range []history.FaultPhase{history.FaultStart, history.FaultEffect} {
		d.h.ev = append(d.h.ev, history.Event{Time: sec(drillDisaster), Process: history.ProcessNemesis, Type: history.Fault,
			Fault: &history.FaultEvent{ID: "step-1", Kind: KindDisaster, Phase: ph, Targets: []string{"n3"}}})
	}
	v := Restore{}.Check(context.Background(), d.input(dur(0), nil))
	wantStatus(t, v, Valid)
	ev := evidence[restoreEvidence](t, v)
	if !slices.Equal(ev.Survivors, []string{"n1", "n2"}) || ev.Cut.Lost != 0 || ev.Cut.Violations == 0 {
		t.Fatalf("survivors %v, cut %+v; want n1, n2 survived, nothing lost, the cut (which the survivors' later writes contradict) not judged", ev.Survivors, ev.Cut)
	}
}
