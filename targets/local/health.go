package local

import (
	"context"
	"fmt"
	"strings"
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
			return fmt.Errorf("lab %s not healthy: %s: %w%s", l.st.Name, reason, ctx.Err(), l.downDetail(probes))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// downDetail says, for each node that did not answer, whether its server
// runs and how its error log ends: why a node stays down (a state transfer
// that failed, a start that could not enter its namespace) is there.
func (l *Lab) downDetail(probes []targets.Probe) string {
	var b strings.Builder
	for _, p := range probes {
		if p.Reachable {
			continue
		}
		state := "no server running"
		if pid := l.pid(p.Node); pid != 0 {
			state = fmt.Sprintf("mariadbd %d running", pid)
		}
		fmt.Fprintf(&b, "; %s: %s, its log ends: %s (last error: %s)", p.Node, state, l.logTail(p.Node, 4), l.lastError(p.Node))
	}
	return b.String()
}
