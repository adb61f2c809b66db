// Package history is faultline's single source of truth: the event model of a
// run (client operations, fault lifecycle events, topology probe samples) and
// its append-only JSON Lines store.
//
// Every client operation is recorded twice: an `invoke` event before the
// request is sent, then exactly one completion — `ok` (it happened), `fail`
// (it definitely did not happen) or `info` (indeterminate: a timeout or a
// connection lost mid-commit). Times are nanoseconds on the harness's
// monotonic clock since the run started; wall time is kept for people only.
package history

import (
	"encoding/json"
)

// Type is the kind of an event.
type Type string

// Event types. Invoke/OK/Fail/Info are client operations; Fault and Probe are
// recorded by the nemesis and by the topology prober.
const (
	Invoke Type = "invoke"
	OK     Type = "ok"
	Fail   Type = "fail"
	Info   Type = "info"
	Fault  Type = "fault"
	Probe  Type = "probe"
	// Mark is a run milestone (workload start/end, heal-all, final read).
	Mark Type = "mark"
	// Cluster is something the target's control plane reported about a
	// node or pod (evicted, scheduled, Pending and why, ready, restarted).
	Cluster Type = "cluster"
	// Sample is a measurement a fault took of its target while in effect
	// (a disk's credit balance): F names the series, Node the node, Value
	// holds the measurement in the series' own shape.
	Sample Type = "sample"
	// Backup is one backup the harness took of the target (BackupEvent).
	Backup Type = "backup"
)

// Special process ids for events that are not recorded by a workload client.
const (
	ProcessNemesis = -1
	ProcessProbe   = -2
	ProcessRunner  = -3
	ProcessCluster = -4
	ProcessBackup  = -5
)

// Event is one line of history.jsonl.
//
// Value holds the operation's arguments on invoke and its observed result on
// ok; its JSON shape belongs to the workload that wrote it (see package
// workloads) and is decoded lazily by the checker that needs it.
type Event struct {
	Index   int64           `json:"i"`
	Time    int64           `json:"t"`    // ns since run start, monotonic
	Wall    int64           `json:"wall"` // unix ns, for people only
	Process int             `json:"p"`    // client id, or a Process* constant
	Type    Type            `json:"type"`
	F       string          `json:"f,omitempty"` // operation: add, read, transfer, txn, write, cas, …
	Value   json.RawMessage `json:"value,omitempty"`
	Node    string          `json:"node,omitempty"`
	Err     string          `json:"err,omitempty"`
	// Intended is the open-loop scheduled start (ns since run start) when it
	// differs from Time, so latency under stalls is not hidden.
	Intended int64         `json:"intended,omitempty"`
	Fault    *FaultEvent   `json:"fault,omitempty"`
	Probe    *ProbeEvent   `json:"probe,omitempty"`
	Cluster  *ClusterEvent `json:"cluster,omitempty"`
	Backup   *BackupEvent  `json:"backup,omitempty"`
}

// ClusterEvent is one change of a target's pod or node as its control
// plane reported it.
type ClusterEvent struct {
	Object  string `json:"object"`            // pod/galera-1, node/kind-worker2
	Reason  string `json:"reason"`            // Scheduled, Pending, Ready, NotReady, Restarted, IPChanged, Deleted, Cordoned, Evicted, …
	Message string `json:"message,omitempty"` // why, as the control plane says it
	Host    string `json:"host,omitempty"`    // the Kubernetes node of a pod
}

// FaultPhase is a step in a fault's life as recorded in the history.
type FaultPhase string

// Fault phases.
const (
	FaultStart    FaultPhase = "start"     // about to inject (ledger record written)
	FaultEffect   FaultPhase = "effect"    // effect verified (Evidence holds the proof)
	FaultNoEffect FaultPhase = "no-effect" // effect could not be shown
	FaultError    FaultPhase = "error"     // inject failed; only recover is allowed
	FaultHealed   FaultPhase = "healed"    // recover succeeded
	FaultAction   FaultPhase = "action"    // operator action (promote): not healed
)

// FaultEvent describes a fault lifecycle event.
type FaultEvent struct {
	ID       string          `json:"id"`   // unique within the run, e.g. "step-2"
	Kind     string          `json:"kind"` // partition, clockSkew, …
	Phase    FaultPhase      `json:"phase"`
	Targets  []string        `json:"targets,omitempty"`  // nodes as resolved when the step fired
	Selector string          `json:"selector,omitempty"` // how they were selected
	Params   json.RawMessage `json:"params,omitempty"`
	Summary  string          `json:"summary,omitempty"`  // one line for people
	Evidence json.RawMessage `json:"evidence,omitempty"` // connectivity matrix, RTT, NOW(6) offsets, …
}

// ProbeEvent is one topology probe sample of one node.
type ProbeEvent struct {
	Node          string `json:"node"`
	Reachable     bool   `json:"reachable"`
	Writable      bool   `json:"writable"`
	ReadOnly      bool   `json:"readOnly,omitempty"`
	ClusterStatus string `json:"clusterStatus,omitempty"` // wsrep_cluster_status: Primary, non-Primary
	ConfID        int64  `json:"confId,omitempty"`        // wsrep_cluster_conf_id
	StateUUID     string `json:"stateUUID,omitempty"`     // wsrep_cluster_state_uuid
	LocalState    string `json:"localState,omitempty"`    // wsrep_local_state_comment
	ClusterSize   int    `json:"clusterSize,omitempty"`
	GTIDCurrent   string `json:"gtidCurrent,omitempty"`
	GTIDBinlog    string `json:"gtidBinlog,omitempty"`
	IORunning     string `json:"ioRunning,omitempty"`
	SQLRunning    string `json:"sqlRunning,omitempty"`
	Source        string `json:"source,omitempty"` // replication source host
	Role          string `json:"role,omitempty"`   // primary, replica, galera-primary, galera-nonprimary, down
	Err           string `json:"err,omitempty"`
}

// IsOp reports whether e is a client operation event.
func (e *Event) IsOp() bool {
	switch e.Type {
	case Invoke, OK, Fail, Info:
		return true
	}
	return false
}
