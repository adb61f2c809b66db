package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// backupProvider is the fake provider whose sessions take backups.
type backupProvider struct{ fakeProvider }

func (p backupProvider) Open(context.Context, *scenarios.Scenario, targets.OpenOptions) (targets.Session, error) {
	return &backupSession{fakeSession: &fakeSession{c: p.cluster}}, nil
}

// backupSession takes each backup in 50 ms; backup-2 fails.
type backupSession struct {
	*fakeSession
	mu   sync.Mutex
	reqs []targets.BackupRequest
}

var _ targets.Backuper = (*backupSession)(nil)

func (s *backupSession) Backup(_ context.Context, req targets.BackupRequest) (targets.BackupInfo, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	if req.ID == "backup-2" {
		return targets.BackupInfo{}, errors.New("mariadb-backup: exit status 1")
	}
	return targets.BackupInfo{Node: "n1", GTID: fmt.Sprintf("uuid:%d", req.Seq), LSN: int64(100 * req.Seq)}, nil
}

// The schedule takes a backup every interval while the workload runs and
// records each, completed or failed, with its harness start and end.
func TestBackupScheduleRecordsEachBackup(t *testing.T) {
	s, src := lifecycleScenario(t, "galera", "3s", "", "- {at: 2500ms, for: 400ms, kill: {}, select: {nodes: [n3]}}")
	s.Spec.Backup = &scenarios.BackupSchedule{Every: scenarios.Duration(time.Second), Node: "n1"}
	c := newFakeCluster(fmt.Sprintf("fake-backup-%d", time.Now().UnixNano()), 3)
	res, err := Run(context.Background(), Options{
		Scenario: s, Source: src, OutDir: t.TempDir(), StateDir: t.TempDir(), Quiet: true,
		Providers: providers.New(backupProvider{fakeProvider{cluster: c}}), Load: newFakeLoad(c), Ledger: ledgerIn(t),
		ProbeInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := history.ReadAll(filepath.Join(res.Dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	var got []*history.BackupEvent
	for i := range evs {
		if evs[i].Type == history.Backup {
			got = append(got, evs[i].Backup)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d backups recorded, want 3 (at 0s, 1s, 2s of a 3s workload): %+v", len(got), got)
	}
	for i, b := range got {
		id := fmt.Sprintf("backup-%d", i+1)
		failed := i == 1
		switch {
		case b.ID != id || b.Tool != scenarios.BackupToolMariaBackup || b.Every != int64(time.Second):
			t.Errorf("backup %d: %+v; want %s by mariadb-backup every 1s", i, b, id)
		case b.End-b.Start < int64(50*time.Millisecond) || b.Start < int64(i)*int64(time.Second):
			t.Errorf("%s: %d..%d; want it to start on schedule and last the tool's 50 ms", id, b.Start, b.End)
		case failed != (b.Err != "") || b.Completed() == failed:
			t.Errorf("%s: err %q, completed %v; want only backup-2 failed", id, b.Err, b.Completed())
		case !failed && (b.GTID != fmt.Sprintf("uuid:%d", i+1) || b.LSN != int64(100*(i+1)) || b.Node != "n1"):
			t.Errorf("%s: %+v; want its consistent point recorded", id, b)
		}
	}
}
