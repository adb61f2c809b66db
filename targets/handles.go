package targets

import (
	"context"
	"net"
)

// NodeHandles are the places where a fault family reaches a node of a
// machine-local target (the embedded lab, or a pod's namespaces entered by the
// node agent). Every field names kernel or file state, so a fault can be
// recorded in the ledger with everything needed to undo it.
type NodeHandles struct {
	Node         string `json:"node"`
	NetNS        string `json:"netns"`        // path of the node's network namespace, e.g. /run/netns/fl-demo-n1
	HostLink     string `json:"hostLink"`     // root-namespace end of the node's veth (traffic toward the node)
	Link         string `json:"link"`         // the node's interface inside its namespace (traffic from the node)
	Addr         net.IP `json:"addr"`         // the node's lab address
	FaketimeFile string `json:"faketimeFile"` // libfaketime offset file read by the node's mariadbd ("" if not under faketime)
	BlockDevice  string `json:"blockDevice"`  // MAJ:MIN of the node's data device
	DataDir      string `json:"dataDir"`
	// DiskFaultFile is the control file of the node's disk-fault layer, and
	// DiskFaultDir the layer's mount (mariadbd's data directory); both ""
	// when the node has no such layer.
	DiskFaultFile string `json:"diskFaultFile,omitempty"`
	DiskFaultDir  string `json:"diskFaultDir,omitempty"`
	LogFile       string `json:"logFile"`
	// Ports the node listens on: SQL first, then cluster ports (Galera 4567, IST 4568, SST 4444).
	Ports []int `json:"ports"`
}

// Machine is a target whose nodes run on this machine and can be reached
// through NodeHandles: the embedded local lab.
type Machine interface {
	Target
	// Handles returns the fault handles of one node.
	Handles(node string) (NodeHandles, error)
	// PID is the node's current mariadbd pid (0 if it is not running).
	PID(node string) (int, error)
	// StartNode starts a stopped node (Galera: through --wsrep-recover so it rejoins by IST).
	StartNode(ctx context.Context, node string) error
	// StopNode stops a node: gracefully (SIGTERM, then SIGKILL after a deadline) or with SIGKILL.
	StopNode(ctx context.Context, node string, graceful bool) error
	Promoter
}

// Promoter is a replication target on which an operator's failover can be
// played: the embedded lab, or a Kubernetes StatefulSet.
type Promoter interface {
	// Promote makes node the writable primary as an operator would (replication only).
	Promote(ctx context.Context, node string) error
}
