package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"faultline.dev/faultline/history"
)

// Roles as the probes report them (targets.Role*).
const (
	rolePrimary = "primary"
	roleReplica = "replica"
)

// nodeMetrics are the per-node gauges fed by the probe rounds.
type nodeMetrics struct {
	role      *prometheus.GaugeVec
	reachable *prometheus.GaugeVec
	writable  *prometheus.GaugeVec
	lag       *prometheus.GaugeVec

	mu    sync.Mutex
	roles map[string]map[string]bool // roles seen, by node
	lagT  lagTracker
}

func newNodeMetrics() *nodeMetrics {
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	return &nodeMetrics{
		role: gauge("faultline_node_role",
			"1 for the role the node's latest probe reported (primary, replica, galera-primary, galera-nonprimary, down), 0 for roles it had before.",
			"node", "role"),
		reachable: gauge("faultline_node_reachable", "1 when the node's latest probe reached it.", "node"),
		writable:  gauge("faultline_node_writable", "1 when the node's latest probe found it writable.", "node"),
		lag: gauge("faultline_replication_lag_seconds",
			"Replication lag of a replica measured on the harness clock: the time since the probes first saw the primary's "+
				"gtid_binlog_pos ahead of the replica's current gtid_current_pos (0 when it is not behind). "+
				"Resolution: one probe interval. Absent while the node is not a reachable replica.",
			"node"),
		roles: map[string]map[string]bool{},
	}
}

func (n *nodeMetrics) register(reg *prometheus.Registry) {
	reg.MustRegister(n.role, n.reachable, n.writable, n.lag)
}

func (n *nodeMetrics) observe(now int64, ps []history.ProbeEvent) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range ps {
		n.setRole(p.Node, p.Role)
		n.reachable.WithLabelValues(p.Node).Set(bool01(p.Reachable))
		n.writable.WithLabelValues(p.Node).Set(bool01(p.Writable))
	}
	lags := n.lagT.observe(now, ps)
	for _, p := range ps {
		if d, ok := lags[p.Node]; ok {
			n.lag.WithLabelValues(p.Node).Set(d.Seconds())
		} else {
			n.lag.DeleteLabelValues(p.Node)
		}
	}
}

// setRole sets node's current role to 1 and every role it had before to 0.
func (n *nodeMetrics) setRole(node, role string) {
	seen := n.roles[node]
	if seen == nil {
		seen = map[string]bool{}
		n.roles[node] = seen
	}
	seen[role] = true
	for r := range seen {
		n.role.WithLabelValues(node, r).Set(bool01(r == role))
	}
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// lagTracker measures replicas' lag from successive probe rounds: it keeps
// the primary's position each time it changed, with the harness time it was
// first seen, and a replica's lag is how long ago the primary was first
// seen at a position the replica has not reached yet.
type lagTracker struct {
	seen []primaryPos // oldest first; bounded by maxPositions
}

type primaryPos struct {
	at  int64
	pos gtidPos
}

// maxPositions bounds the kept primary positions: with a probe each 500 ms
// that is over an hour of constant writes. A replica behind the oldest kept
// one reports the time since it: a lower bound.
const maxPositions = 8192

// observe returns the lag of every reachable replica of the round.
func (t *lagTracker) observe(now int64, ps []history.ProbeEvent) map[string]time.Duration {
	for _, p := range ps {
		if p.Role == rolePrimary && p.Reachable && p.GTIDBinlog != "" {
			t.note(now, parseGTIDPos(p.GTIDBinlog))
		}
	}
	out := map[string]time.Duration{}
	for _, p := range ps {
		if p.Role == roleReplica && p.Reachable {
			out[p.Node] = t.lag(now, parseGTIDPos(p.GTIDCurrent))
		}
	}
	return out
}

func (t *lagTracker) note(now int64, pos gtidPos) {
	if n := len(t.seen); n > 0 && !pos.ahead(t.seen[n-1].pos) {
		return // not moved: the earlier sighting is when it was first seen
	}
	t.seen = append(t.seen, primaryPos{at: now, pos: pos})
	if len(t.seen) > maxPositions {
		t.seen = append(t.seen[:0], t.seen[len(t.seen)-maxPositions:]...)
	}
}

func (t *lagTracker) lag(now int64, replica gtidPos) time.Duration {
	for _, s := range t.seen {
		if s.pos.ahead(replica) {
			return time.Duration(max(now-s.at, 0))
		}
	}
	return 0
}
