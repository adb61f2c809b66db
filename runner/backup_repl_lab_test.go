package runner_test

import (
	"testing"

	"faultline.dev/faultline/verify"
)

// The replication library drill on a real lab: the primary's backups every
// 10 s, every node's data destroyed at 26 s, the primary restored from the
// latest backup and the replicas re-seeded at its GTID. The restored data
// is a consistent cut of that backup; the writes acknowledged after it are
// lost (rpo: 0s breached) but reach back no further than one interval plus
// a backup's duration; the lab serves writes again and converges.
func TestIntegrationBackupRestoreReplicationDrill(t *testing.T) {
	checkWholeDrill(t, "replication-backup-restore", 17)
}

// replicaDrill backs up replica n2, destroys replica n3's data, and
// re-seeds n3 from n2's backup at its GTID, re-attached to primary n1.
const replicaDrill = `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: replication-restore-one-replica
spec:
  target:
    local: {topology: replication, nodes: 3}
  workload: {kind: ledger, clients: 3, rate: 100/s, duration: 45s}
  backup: {every: 30s, at: 2s, node: n2}
  faults:
    - {name: lose-n3, at: 16s, select: {nodes: [n3]}, disaster: {}}
    - {name: reseed-n3, at: 18s, restore: {}}
  verify: {rpo: 0s}
`

// Nothing is lost when one replica's data is: the primary keeps serving,
// the re-seeded replica catches up from the backup's GTID, and every node
// ends with the same data.
func TestIntegrationBackupRestoreReplicationReplica(t *testing.T) {
	requireLab(t)
	res := runSource(t, "replication-restore-one-replica.yaml", []byte(replicaDrill), 18)
	for _, c := range []string{verify.NameLostWrites, verify.NameRestore, verify.NameConvergence} {
		if st := verdictOf(res, c); st != verify.Valid {
			t.Errorf("%s %s; want valid (report %s)", c, st, res.Dir)
		}
	}
	if res.Status != verify.Valid {
		t.Errorf("run %s; want valid (report %s)", res.Status, res.Dir)
	}
}
