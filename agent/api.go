// Package agent is faultline's node agent: a process on every Kubernetes
// node (a DaemonSet with the host's PID namespace) that applies the lab's
// own injectors inside a target pod's namespaces — blackhole routes in the
// pod's network namespace, SIGSTOP of its mariadbd, a libfaketime offset in
// its filesystem, block I/O limits in its container's cgroup — and keeps an on-node ledger (the harness's FileLedger) so
// that whatever it applied is healed when it restarts.
//
// The agent listens on loopback inside its own pod's network namespace, so
// no node port or pod port is reachable from anywhere: the harness reaches
// it only through the API server's port-forward, which needs the
// pods/portforward permission in the agent's namespace. Who may drive the
// agent is therefore an RBAC decision, audited by the API server.
package agent

import (
	"net"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/disk"
)

// Where the agent runs and how it is found.
const (
	// Port is the agent's port on loopback in its pod.
	Port = 7070
	// Namespace is the agent DaemonSet's namespace.
	Namespace = "faultline-system"
	// NameLabel selects the agent's pods.
	NameLabel = "app.kubernetes.io/name"
	// Name is NameLabel's value on the agent's pods.
	Name = "faultline-agent"
	// DefaultStateDir is the agent's ledger on the node (a hostPath).
	DefaultStateDir = "/var/lib/faultline/agent"
)

// Fault kinds the agent applies; they are the lab's kinds of the same names.
const (
	KindPartition = "partition"
	KindPause     = "pause"
	KindClockSkew = "clockSkew"
	KindLatency   = "latency"
	KindBandwidth = "bandwidth"
	// KindNodeOutage silences the agent's whole node: everything but
	// loopback dropped in the node's network namespace, forwarded pod
	// traffic included, so its kubelet stops reporting and its pods stop
	// answering. It needs a Lease (the harness cannot reach a silent node
	// to heal it) and a Defer (else the cut swallows the agent's answer).
	KindNodeOutage = "nodeOutage"
	// KindDiskThrottle limits a pod's I/O on the disk of its data
	// directory, written into its container's own blkio (v1) or io (v2)
	// cgroup.
	KindDiskThrottle = "diskThrottle"
)

// Pod names one container of a pod on the agent's node.
type Pod struct {
	// Name is namespace/name, for records and messages.
	Name string `json:"name"`
	// ContainerID is the container's id as the pod's status reports it
	// (containerd://<id>); the agent finds its processes by it.
	ContainerID string `json:"containerId"`
	// Process is the command name of the process faults act on (mariadbd).
	Process string `json:"process,omitempty"`
}

// Request is one fault applied to one pod.
type Request struct {
	RunID string `json:"runId"`
	ID    string `json:"id"` // unique in the run; applying an id twice is a no-op
	Kind  string `json:"kind"`
	Pod   Pod    `json:"pod"`
	// DropTo are the addresses the pod can no longer send to (partition).
	DropTo []net.IP `json:"dropTo,omitempty"`
	// Offset is the clock step (clockSkew); DriftPPM makes the clock run
	// fast (or slow) by that many parts per million from the step on.
	Offset   time.Duration `json:"offset,omitempty"`
	DriftPPM float64       `json:"driftPpm,omitempty"`
	// Delay ± Jitter holds every packet the pod sends, and Loss percent
	// of them are dropped (latency).
	Delay  time.Duration `json:"delay,omitempty"`
	Jitter time.Duration `json:"jitter,omitempty"`
	Loss   float64       `json:"loss,omitempty"`
	// Rate limits the pod's traffic in bytes per second, in Direction
	// (in, out or both; bandwidth).
	Rate      uint64 `json:"rate,omitempty"`
	Direction string `json:"direction,omitempty"`
	// Addr and Port are the pod's address and SQL port: a latency's proof
	// is the connect time to them from the agent, before and during.
	Addr net.IP `json:"addr,omitempty"`
	Port int    `json:"port,omitempty"`
	// Limits are a disk throttle's rates on the disk under DataDir, the
	// data directory inside the container ("" = DefaultDataDir).
	Limits  disk.Limits `json:"limits,omitempty"`
	DataDir string      `json:"dataDir,omitempty"`
	// Lease, when set, is how long after the fault is in place the agent
	// heals it by itself, whether or not the harness asks: a dead-man's
	// switch for a harness that dies, and the only heal of a fault that
	// cuts the harness off from the agent.
	Lease time.Duration `json:"lease,omitempty"`
	// Defer, when set, makes the agent answer at once and apply the fault
	// this long after (its record is in the ledger before it answers).
	Defer time.Duration `json:"defer,omitempty"`
}

// Applied is the agent's answer to a Request.
type Applied struct {
	Record injectors.Record `json:"record"`
	// Evidence is the agent's own proof, for kinds it can prove on the
	// node (pause: the process is stopped; latency: the connect time to the
	// pod before and during; bandwidth: the token buckets read back); nil
	// for the others, which the harness proves (the connectivity matrix,
	// the server's NOW(6)).
	Evidence *injectors.Evidence `json:"evidence,omitempty"`
	// Took is the agent's time from the request to the effect in place.
	Took time.Duration `json:"took"`
}

// Peer is an address a probe dials from inside a pod.
type Peer struct {
	Name  string `json:"name"`
	Addr  net.IP `json:"addr"`
	Ports []int  `json:"ports"`
}

// ProbeRequest asks which peers a pod can reach: a TCP connection from
// inside the pod's network namespace to each port of each peer.
type ProbeRequest struct {
	Pod     Pod           `json:"pod"`
	Peers   []Peer        `json:"peers"`
	Timeout time.Duration `json:"timeout"`
}

// ProbeResult is what the pod reached: Reach[peer] is true when every port
// answered (a connection or a refusal), false when none did; Mixed lists
// the peers whose ports disagreed.
type ProbeResult struct {
	Reach map[string]bool `json:"reach"`
	Mixed []string        `json:"mixed,omitempty"`
}
