package local

import (
	"context"
	"fmt"
	"time"

	"faultline.dev/faultline/targets"
)

// WaitHealthy waits until every node is up and the cluster has converged:
// Galera: all Primary+Synced with one conf id, one state uuid and size N;
// replication: exactly one writable primary, every replica's IO and SQL
// threads running from it and its GTID position caught up to the primary's
// binlog position (where the primary stood one probe round earlier, so that
// a cluster under load converges too).
func (l *Lab) WaitHealthy(ctx context.Context) error {
	reason := "not probed yet"
	var settling targets.Settling
	for {
		probes := targets.ProbeAll(ctx, l)
		if reason = settling.Unhealthy(l.st.Topology, probes); reason == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lab %s not healthy: %s: %w", l.st.Name, reason, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
