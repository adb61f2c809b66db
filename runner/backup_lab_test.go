package runner_test

import (
	"encoding/json"
	"testing"
	"time"

	"faultline.dev/faultline/verify"
)

// The library's drill on a real lab: backups every 10 s, every node's data
// destroyed at 26 s, the latest backup restored. The restored data is a
// consistent cut of that backup; the writes acknowledged after it are lost,
// which breaches rpo: 0s, but reach back no further than one interval plus
// a backup's duration; the cluster serves writes again.
func TestIntegrationBackupRestoreDrill(t *testing.T) {
	checkWholeDrill(t, "galera-backup-restore", 15)
}

// checkWholeDrill runs a library drill that destroys every node and checks
// the restore check's cut, rpo, rpo-schedule and rto-restore.
func checkWholeDrill(t *testing.T, name string, seed int64) {
	t.Helper()
	res := runLibrary(t, name, seed)
	var v *verify.Verdict
	for i := range res.Verdicts {
		if res.Verdicts[i].Check == verify.NameRestore {
			v = &res.Verdicts[i]
		}
	}
	if v == nil {
		t.Fatalf("no restore verdict (report %s)", res.Dir)
	}
	var ev struct {
		Backup struct {
			ID         string
			Start, End int64
			GTID       string
			LSN        int64
		}
		Cut struct {
			Violations, Lost, Before int
		}
		LongestBackup, ScheduleBound, BackupAge int64
	}
	if err := json.Unmarshal(v.Evidence, &ev); err != nil {
		t.Fatalf("restore evidence: %v\n%s", err, v.Evidence)
	}
	win := map[string]verify.Window{}
	for _, w := range v.Windows {
		win[w.Metric] = w
	}
	rpo, sched, rto := win["rpo"], win["rpo-schedule"], win["rto-restore"]
	t.Logf("restored %s (%s, lsn %d), taken in %s; longest backup %s; lost %d, rpo %s (bound %s); rto %s",
		ev.Backup.ID, ev.Backup.GTID, ev.Backup.LSN, time.Duration(ev.Backup.End-ev.Backup.Start),
		time.Duration(ev.LongestBackup), ev.Cut.Lost, time.Duration(rpo.Value), time.Duration(ev.ScheduleBound), time.Duration(rto.Value))
	switch {
	case ev.Backup.GTID == "" || ev.Backup.LSN == 0:
		t.Errorf("backup %+v: want its consistent point (Galera position or binlog GTID) and LSN recorded", ev.Backup)
	case ev.Cut.Violations != 0 || ev.Cut.Before == 0:
		t.Errorf("cut %+v: want a consistent cut holding the writes acknowledged before the backup", ev.Cut)
	case ev.Cut.Lost == 0 || rpo.Status != verify.Invalid || v.Status != verify.Invalid || res.Status != verify.Invalid:
		t.Errorf("lost %d, rpo %s, restore %s, run %s: want writes lost and rpo: 0s breached", ev.Cut.Lost, rpo.Status, v.Status, res.Status)
	case sched.Status != verify.Valid || rpo.Value > int64(10*time.Second)+ev.LongestBackup:
		t.Errorf("rpo %s past one interval (10s) + the longest backup %s", time.Duration(rpo.Value), time.Duration(ev.LongestBackup))
	case rto.Status != verify.Valid || rto.Value <= 0:
		t.Errorf("rto-restore %+v: want the cluster serving writes again within rto: 60s", rto)
	}
}

// oneNodeDrill destroys one node's data; the restore seeds it from the
// latest backup at its Galera position and it rejoins the two survivors.
const oneNodeDrill = `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: galera-restore-one-node
spec:
  target:
    local: {topology: galera, nodes: 3}
  workload: {kind: ledger, clients: 3, rate: 100/s, duration: 45s}
  backup: {every: 30s, at: 2s}
  faults:
    - {name: lose-n3, at: 16s, select: {nodes: [n3]}, disaster: {}}
    - {name: reseed-n3, at: 18s, restore: {}}
  verify: {rpo: 0s}
`

// Nothing is lost when one node's data is: the survivors keep serving, the
// seeded node catches up, and every node ends with the same data.
func TestIntegrationBackupRestoreOneNode(t *testing.T) {
	requireLab(t)
	res := runSource(t, "galera-restore-one-node.yaml", []byte(oneNodeDrill), 16)
	for _, c := range []string{verify.NameLostWrites, verify.NameRestore, verify.NameConvergence} {
		if st := verdictOf(res, c); st != verify.Valid {
			t.Errorf("%s %s; want valid (report %s)", c, st, res.Dir)
		}
	}
}
