// Package targets defines what faultline needs from a cluster under test: its
// nodes (name, zone, SQL endpoint), a probe of each node's observed role and
// state, and per-node handles through which each fault family reaches the
// node's network, process, clock and disk. targets/local implements it with a
// real MariaDB lab in network namespaces.
package targets

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"faultline.dev/faultline/history"
)

// Node is one database node of a target.
type Node struct {
	Name     string `json:"name"`
	Zone     string `json:"zone"`
	Host     string `json:"host"` // address the harness dials
	Port     int    `json:"port"`
	User     string `json:"user"`
	Password string `json:"password,omitempty"`
	// Dial, when set, opens the connections to Addr (e.g. through a
	// Kubernetes port-forward); nil = a direct TCP connection.
	Dial DialFunc `json:"-"`
}

// DialFunc opens a connection to addr, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Addr is host:port.
func (n Node) Addr() string { return net.JoinHostPort(n.Host, strconv.Itoa(n.Port)) }

// DSN is a go-sql-driver/mysql DSN for database db with the given timeout for
// dial, read and write.
func (n Node) DSN(db string, timeout time.Duration) string {
	return fmt.Sprintf("%s:%s@tcp(%s)/%s?timeout=%s&readTimeout=%s&writeTimeout=%s&interpolateParams=true",
		n.User, n.Password, n.Addr(), db, timeout, timeout, timeout)
}

// Probe is one observation of a node's role and state. It is the same record
// that goes into the history.
type Probe = history.ProbeEvent

// Roles a probe can report.
const (
	RolePrimary      = "primary"           // replication: writable source
	RoleReplica      = "replica"           // replication: read-only replica
	RoleGaleraSynced = "galera-primary"    // galera: in the Primary component, Synced
	RoleGaleraOther  = "galera-nonprimary" // galera: non-Primary or not Synced
	RoleDown         = "down"              // unreachable
)

// Target is a cluster under test.
type Target interface {
	// Name identifies the target (the lab name, or namespace/statefulset).
	Name() string
	// Topology is "galera" or "replication".
	Topology() string
	// Nodes lists the database nodes in a stable order.
	Nodes() []Node
	// Probe observes one node; it never fails, an unreachable node is a sample too.
	Probe(ctx context.Context, node string) Probe
	// WaitHealthy waits until every node is up and the cluster has converged
	// (Galera: all Primary+Synced with one conf id; replication: replicas caught up).
	WaitHealthy(ctx context.Context) error
}

// ProbeAll probes every node of t concurrently.
func ProbeAll(ctx context.Context, t Target) []Probe {
	nodes := t.Nodes()
	out := make([]Probe, len(nodes))
	done := make(chan struct{}, len(nodes))
	for i, n := range nodes {
		go func() {
			out[i] = t.Probe(ctx, n.Name)
			done <- struct{}{}
		}()
	}
	for range nodes {
		<-done
	}
	return out
}

// NodeByName finds a node of t.
func NodeByName(t Target, name string) (Node, bool) {
	for _, n := range t.Nodes() {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// Watcher is a target whose control plane reports what happens to its
// nodes beside the probes (a Kubernetes target: pods evicted, scheduled,
// Pending and why, ready, restarted, an IP changed). The runner records
// every event into the history until ctx ends.
type Watcher interface {
	Watch(ctx context.Context, emit func(history.ClusterEvent))
}
