package local

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"faultline.dev/faultline/targets"
)

// WaitHealthy waits until every node is up and the cluster has converged:
// Galera: all Primary+Synced with one conf id, one state uuid and size N;
// replication: exactly one writable primary, every replica's IO and SQL
// threads running from it and its GTID position caught up to the primary's
// binlog position.
func (l *Lab) WaitHealthy(ctx context.Context) error {
	reason := "not probed yet"
	for {
		probes := targets.ProbeAll(ctx, l)
		if reason = unhealthy(l.st.Topology, probes); reason == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lab %s not healthy: %s: %w", l.st.Name, reason, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// unhealthy says why probes do not show a converged cluster, "" if they do.
func unhealthy(topology string, probes []targets.Probe) string {
	for _, p := range probes {
		if !p.Reachable {
			return fmt.Sprintf("%s unreachable: %s", p.Node, p.Err)
		}
	}
	if topology == Galera {
		return galeraUnhealthy(probes)
	}
	return replicationUnhealthy(probes)
}

func galeraUnhealthy(probes []targets.Probe) string {
	first := probes[0]
	for _, p := range probes {
		switch {
		case p.Role != targets.RoleGaleraSynced || !p.Writable:
			return fmt.Sprintf("%s is %s/%s", p.Node, p.ClusterStatus, p.LocalState)
		case p.ClusterSize != len(probes):
			return fmt.Sprintf("%s sees cluster size %d, want %d", p.Node, p.ClusterSize, len(probes))
		case p.ConfID != first.ConfID || p.StateUUID != first.StateUUID:
			return fmt.Sprintf("%s in view %d/%s, %s in %d/%s", p.Node, p.ConfID, p.StateUUID, first.Node, first.ConfID, first.StateUUID)
		}
	}
	return ""
}

func replicationUnhealthy(probes []targets.Probe) string {
	var primary *targets.Probe
	for i, p := range probes {
		if p.Writable {
			if primary != nil {
				return fmt.Sprintf("two writable nodes: %s and %s", primary.Node, p.Node)
			}
			primary = &probes[i]
		}
	}
	if primary == nil {
		return "no writable primary"
	}
	for _, p := range probes {
		if p.Node == primary.Node {
			continue
		}
		if p.IORunning != "Yes" || p.SQLRunning != "Yes" {
			return fmt.Sprintf("%s replication threads IO=%q SQL=%q", p.Node, p.IORunning, p.SQLRunning)
		}
		if !caughtUp(p.GTIDCurrent, primary.GTIDBinlog) {
			return fmt.Sprintf("%s at %q, primary %s at %q", p.Node, p.GTIDCurrent, primary.Node, primary.GTIDBinlog)
		}
	}
	return ""
}

// caughtUp reports whether GTID position pos has reached target in every
// domain of target (positions like "0-1-42,1-3-7").
func caughtUp(pos, target string) bool {
	have := parseGTIDs(pos)
	for domain, seq := range parseGTIDs(target) {
		if have[domain] < seq {
			return false
		}
	}
	return true
}

func parseGTIDs(s string) map[string]uint64 {
	out := map[string]uint64{}
	for _, g := range strings.Split(s, ",") {
		parts := strings.Split(strings.TrimSpace(g), "-")
		if len(parts) != 3 {
			continue
		}
		seq, err := strconv.ParseUint(parts[2], 10, 64)
		if err == nil {
			out[parts[0]] = seq
		}
	}
	return out
}
