package runner

import (
	"context"
	"fmt"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// backupTimeout bounds one scheduled backup.
const backupTimeout = 2 * time.Minute

// startBackups runs the scenario's backup schedule (spec.backup) beside the
// workload, one backup at a time, and returns what stops it: no new backup
// starts after it is called, and it waits for the one in flight.
func (r *run) startBackups(ctx context.Context) (stop func()) {
	b := r.scn.Spec.Backup
	if b == nil {
		return func() {}
	}
	bk, ok := r.target.(targets.Backuper)
	if !ok {
		r.mark("backup", "the target cannot take backups: schedule skipped")
		r.progress.Logf("backup: %s cannot take backups; schedule skipped", r.target.Name())
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i, at := range b.Times(r.plan.Duration) {
			if r.sinceWorkload() > at+b.Every.D() {
				continue // missed by more than an interval (a slow backup): skip it, do not catch up
			}
			if !r.sleepUntil(ctx, at, quit) {
				return
			}
			r.takeBackup(ctx, bk, b, i+1)
		}
	}()
	return func() { close(quit); <-done }
}

// sleepUntil waits until at after the workload's start; false when quit
// is closed or ctx ends first.
func (r *run) sleepUntil(ctx context.Context, at time.Duration, quit <-chan struct{}) bool {
	t := time.NewTimer(max(0, at-r.sinceWorkload()))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-quit:
	case <-ctx.Done():
	}
	return false
}

// takeBackup takes backup seq and records it, completed or failed, with
// its harness start and end times.
func (r *run) takeBackup(ctx context.Context, bk targets.Backuper, b *scenarios.BackupSchedule, seq int) {
	id := fmt.Sprintf("backup-%d", seq)
	tool := b.Tool
	if tool == "" {
		tool = scenarios.BackupToolMariaBackup
	}
	bctx, cancel := context.WithTimeout(ctx, backupTimeout)
	defer cancel()
	start := r.clock.Now()
	info, err := bk.Backup(bctx, targets.BackupRequest{RunID: r.id, ID: id, Seq: seq, Node: b.Node, Tool: tool})
	end := r.clock.Now()
	be := &history.BackupEvent{ID: id, Node: info.Node, Tool: tool, Every: int64(b.Every.D()), Start: start, End: end,
		GTID: info.GTID, BinlogPos: info.BinlogPos, LSN: info.LSN, Bytes: info.Bytes, Dir: info.Dir}
	if err != nil {
		be.Err = err.Error()
		r.progress.Logf("%s: failed after %.1fs: %v", id, time.Duration(end-start).Seconds(), err)
	} else {
		r.progress.Logf("%s of %s: %.1fs, %s lsn %d, %d MiB", id, info.Node, time.Duration(end-start).Seconds(), info.GTID, info.LSN, info.Bytes>>20)
	}
	r.record(&history.Event{Time: end, Process: history.ProcessBackup, Type: history.Backup, F: "backup", Node: info.Node, Err: be.Err, Backup: be})
}
