package local

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// JoinGTID is how a restored replication lab's replicas join: seeded from
// the same backup, then replicating from its GTID position.
const JoinGTID = "gtid"

// restoreReplication restores a GTID replication lab. When every node lost
// its data (or none did) the lab is rebuilt: the backup copied back onto
// the primary, which continues the binlog from the backup's GTID, and every
// replica seeded from the same backup replicates from there. When some
// nodes survived, the destroyed ones must be replicas: each is seeded and
// re-attached to the current primary, which still holds the writes since.
func (l *Lab) restoreReplication(ctx context.Context, m manifest, ri *RestoreInfo) error {
	ri.JoinBy = JoinGTID
	if m.Info.GTID == "" {
		return fmt.Errorf("backup %s records no binlog GTID: replicas cannot be seeded from it", m.ID)
	}
	primary := l.Primary()
	fresh := l.destroyedNodes()
	if len(fresh) > 0 && len(fresh) < len(l.st.Nodes) {
		if slices.Contains(fresh, primary) {
			return fmt.Errorf("primary %s lost its data and %d nodes survived: a restore re-seeds replicas only", primary, len(l.st.Nodes)-len(fresh))
		}
		ri.Nodes = fresh
		start := time.Now()
		if err := l.reseed(ctx, m, fresh, ri); err != nil {
			return err
		}
		return l.waitRestored(ctx, start, ri)
	}
	nodes := l.nodeNames()
	if err := l.Destroy(ctx, nodes); err != nil {
		return err
	}
	ri.Nodes = nodes
	if err := l.restorePrimary(ctx, m, primary, ri); err != nil {
		return err
	}
	start := time.Now()
	replicas := slices.DeleteFunc(slices.Clone(nodes), func(n string) bool { return n == primary })
	if err := l.reseed(ctx, m, replicas, ri); err != nil {
		return err
	}
	// Writable only now: with semi-sync on, a write before any replica is
	// attached would wait out rpl_semi_sync_master_timeout.
	if err := l.exec(ctx, primary, "SET GLOBAL read_only=0"); err != nil {
		return fmt.Errorf("restored primary %s: %w", primary, err)
	}
	return l.waitRestored(ctx, start, ri)
}

// waitRestored waits until the lab is healthy (every replica caught up)
// and records how long the replicas took since start.
func (l *Lab) waitRestored(ctx context.Context, start time.Time, ri *RestoreInfo) error {
	if err := l.WaitHealthy(ctx); err != nil {
		return err
	}
	ri.Join = time.Since(start)
	return nil
}

// restorePrimary copies the backup back onto the primary, starts it without
// replication, and makes its binlog continue from the backup's GTID so that
// replicas at that position find it there. It stays read-only.
func (l *Lab) restorePrimary(ctx context.Context, m manifest, primary string, ri *RestoreInfo) error {
	if err := l.restoreData(ctx, m.Info.Dir, primary, ri); err != nil {
		return err
	}
	start := time.Now()
	if err := l.launch(primary, "--skip-slave-start"); err != nil {
		return err
	}
	if err := l.waitAnswering(ctx, primary); err != nil {
		return err
	}
	gtid := sqlString(m.Info.GTID)
	if err := l.exec(ctx, primary, "STOP SLAVE", "RESET SLAVE ALL", "RESET MASTER",
		"SET GLOBAL gtid_binlog_state="+gtid, "SET GLOBAL gtid_slave_pos="+gtid); err != nil {
		return fmt.Errorf("restored primary %s: %w", primary, err)
	}
	ri.Bootstrap = time.Since(start)
	return nil
}

// reseed restores the backup onto each replica, sets its replication
// position to the backup's GTID and points it at the current primary.
func (l *Lab) reseed(ctx context.Context, m manifest, replicas []string, ri *RestoreInfo) error {
	change, err := l.changeMaster(l.Primary())
	if err != nil {
		return err
	}
	for _, node := range replicas {
		if err := l.restoreData(ctx, m.Info.Dir, node, ri); err != nil {
			return err
		}
	}
	for _, node := range replicas {
		if err := l.launch(node, "--skip-slave-start"); err != nil {
			return err
		}
	}
	for _, node := range replicas {
		if err := l.waitAnswering(ctx, node); err != nil {
			return err
		}
		if err := l.exec(ctx, node, reseedStatements(m.Info.GTID, change)...); err != nil {
			return fmt.Errorf("re-seed replica %s: %w", node, err)
		}
	}
	return nil
}

// reseedStatements make a replica restored from a backup at gtid replicate
// from where the backup ends: forget any replication the backup's node had,
// start an empty binlog, take the backup's position, follow the primary.
func reseedStatements(gtid, change string) []string {
	return []string{"STOP SLAVE", "RESET SLAVE ALL", "RESET MASTER", "SET GLOBAL read_only=1",
		"SET GLOBAL gtid_slave_pos=" + sqlString(gtid), change, "START SLAVE"}
}
