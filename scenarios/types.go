// Package scenarios is faultline's scenario format: the Go types of a
// Scenario document, its strict loader (every error with file:line:col, all
// errors of a file at once), validation against what the target can do, and
// plan resolution. scenarios/library holds the built-in scenarios.
package scenarios

import "faultline.dev/faultline/verify"

// APIVersion and Kind of a scenario document.
const (
	APIVersion = "faultline.dev/v1alpha1"
	KindName   = "Scenario"
)

// Scenario is one scenario document.
type Scenario struct {
	APIVersion string   `json:"apiVersion" yaml:"apiVersion"`
	Kind       string   `json:"kind" yaml:"kind"`
	Metadata   Metadata `json:"metadata" yaml:"metadata"`
	Spec       Spec     `json:"spec" yaml:"spec"`
	// Source is the file the scenario was loaded from (not part of the document).
	Source string `json:"-" yaml:"-"`
	// pos records where each field's value starts in Source, for errors
	// found after decoding.
	pos positions
	// kinds are the registered fault kinds it was loaded with (LoadWith).
	kinds map[string]KindSpec
}

// Metadata names a scenario.
type Metadata struct {
	Name        string            `json:"name" yaml:"name"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
}

// Spec is what a scenario does.
type Spec struct {
	// Seed fixes every random choice (selections, generators); 0 = pick one and print it.
	Seed     int64    `json:"seed,omitempty" yaml:"seed,omitempty"`
	Target   Target   `json:"target" yaml:"target"`
	Workload Workload `json:"workload" yaml:"workload"`
	Faults   []Step   `json:"faults,omitempty" yaml:"faults,omitempty"`
	Verify   Verify   `json:"verify,omitempty" yaml:"verify,omitempty"`
	Abort    *Abort   `json:"abort,omitempty" yaml:"abort,omitempty"`
	// Backup takes scheduled backups while the workload runs (backup.go).
	Backup *BackupSchedule `json:"backup,omitempty" yaml:"backup,omitempty"`
}

// Target is exactly one of Local or Kubernetes.
type Target struct {
	Local      *LocalTarget `json:"local,omitempty" yaml:"local,omitempty"`
	Kubernetes *KubeTarget  `json:"kubernetes,omitempty" yaml:"kubernetes,omitempty"`
}

// Topologies of a local lab.
const (
	TopologyGalera      = "galera"
	TopologyReplication = "replication"
)

// LocalTarget is the embedded lab: real mariadbd processes in network
// namespaces on this machine.
type LocalTarget struct {
	// Name of the lab; default "fl-" + scenario name, truncated.
	Name     string `json:"name,omitempty" yaml:"name,omitempty"`
	Topology string `json:"topology" yaml:"topology"` // galera | replication
	Nodes    int    `json:"nodes" yaml:"nodes"`       // 1..9
	// Zones per node in node order (n1, n2, …); default round-robin a, b, c.
	Zones []string `json:"zones,omitempty" yaml:"zones,omitempty"`
	// Subnet is a /24 inside 198.18.0.0/15; default: the first free one.
	Subnet string `json:"subnet,omitempty" yaml:"subnet,omitempty"`
	// ServerOptions are my.cnf [mysqld] keys applied to every node.
	ServerOptions map[string]string `json:"serverOptions,omitempty" yaml:"serverOptions,omitempty"`
	// NodeOptions are my.cnf keys per node name, applied over ServerOptions.
	NodeOptions map[string]map[string]string `json:"nodeOptions,omitempty" yaml:"nodeOptions,omitempty"`
	// ProviderOptions are Galera wsrep_provider_options (e.g. evs.suspect_timeout: PT2S).
	ProviderOptions map[string]string `json:"providerOptions,omitempty" yaml:"providerOptions,omitempty"`
	// SemiSyncTimeout is rpl_semi_sync_master_timeout (replication); default 10s.
	SemiSyncTimeout Duration `json:"semiSyncTimeout,omitempty" yaml:"semiSyncTimeout,omitempty"`
	// SemiSync turns semi-synchronous replication on (replication); default true.
	SemiSync *bool `json:"semiSync,omitempty" yaml:"semiSync,omitempty"`
	// Faketime starts nodes under libfaketime so clockSkew can work; default true.
	Faketime *bool `json:"faketime,omitempty" yaml:"faketime,omitempty"`
	// DiskFaults mounts a FUSE pass-through layer under each data directory so diskFault can work.
	DiskFaults bool `json:"diskFaults,omitempty" yaml:"diskFaults,omitempty"`
	// DiskSize of each node's loop-mounted ext4 image; default 512MiB.
	DiskSize Size `json:"diskSize,omitempty" yaml:"diskSize,omitempty"`
}

// KubeTarget attaches to a StatefulSet through client-go.
type KubeTarget struct {
	Kubeconfig        string `json:"kubeconfig,omitempty" yaml:"kubeconfig,omitempty"`
	Context           string `json:"context,omitempty" yaml:"context,omitempty"`
	Namespace         string `json:"namespace" yaml:"namespace"`
	StatefulSet       string `json:"statefulSet,omitempty" yaml:"statefulSet,omitempty"`
	Selector          string `json:"selector,omitempty" yaml:"selector,omitempty"`
	Topology          string `json:"topology,omitempty" yaml:"topology,omitempty"`
	Port              int    `json:"port,omitempty" yaml:"port,omitempty"`
	CredentialsSecret string `json:"credentialsSecret,omitempty" yaml:"credentialsSecret,omitempty"`
}

// Workload kinds.
const (
	WorkloadLedger     = "ledger"
	WorkloadBank       = "bank"
	WorkloadListAppend = "list-append"
	WorkloadRegister   = "register"
)

// Workload describes the transactional load.
type Workload struct {
	Kind     string   `json:"kind" yaml:"kind"`
	Clients  int      `json:"clients,omitempty" yaml:"clients,omitempty"` // default 4
	Rate     Rate     `json:"rate,omitempty" yaml:"rate,omitempty"`       // total ops/s; 0 = unlimited
	Duration Duration `json:"duration" yaml:"duration"`
	// OpTimeout bounds each operation; default 5s.
	OpTimeout Duration `json:"opTimeout,omitempty" yaml:"opTimeout,omitempty"`
	// Routing: primary (follow the writable node), any (spread over reachable nodes) or a node name.
	Routing string `json:"routing,omitempty" yaml:"routing,omitempty"`
	// OpenLoop schedules operations at the rate regardless of completions and
	// records the intended start (needs rate).
	OpenLoop bool `json:"openLoop,omitempty" yaml:"openLoop,omitempty"`
	// Keys for list-append and register; default 10.
	Keys int `json:"keys,omitempty" yaml:"keys,omitempty"`
	// Accounts and Total for bank; default 5 and 100 per account.
	Accounts int   `json:"accounts,omitempty" yaml:"accounts,omitempty"`
	Total    int64 `json:"total,omitempty" yaml:"total,omitempty"`
	// LockingReads makes bank reads and transfers use SELECT … FOR UPDATE.
	LockingReads bool `json:"lockingReads,omitempty" yaml:"lockingReads,omitempty"`
	// MinTxnLength and MaxTxnLength bound list-append transactions; default 1..4.
	MinTxnLength int `json:"minTxnLength,omitempty" yaml:"minTxnLength,omitempty"`
	MaxTxnLength int `json:"maxTxnLength,omitempty" yaml:"maxTxnLength,omitempty"`
	// ReadFraction of micro-ops (list-append) or operations (register, ledger) that read; default 0.5 (ledger 0).
	ReadFraction *float64 `json:"readFraction,omitempty" yaml:"readFraction,omitempty"`
}

// Step is one fault on the timeline: exactly one fault field is set.
type Step struct {
	Name string    `json:"name,omitempty" yaml:"name,omitempty"`
	At   Duration  `json:"at" yaml:"at"`
	For  *Duration `json:"for,omitempty" yaml:"for,omitempty"` // healed after it; nil = until the end of the workload
	// Select chooses the nodes the fault applies to, resolved when the step fires.
	Select Selector `json:"select,omitempty" yaml:"select,omitempty"`

	Partition      *Partition      `json:"partition,omitempty" yaml:"partition,omitempty"`
	Latency        *Latency        `json:"latency,omitempty" yaml:"latency,omitempty"`
	Bandwidth      *Bandwidth      `json:"bandwidth,omitempty" yaml:"bandwidth,omitempty"`
	ClockSkew      *ClockSkew      `json:"clockSkew,omitempty" yaml:"clockSkew,omitempty"`
	DiskThrottle   *DiskThrottle   `json:"diskThrottle,omitempty" yaml:"diskThrottle,omitempty"`
	DiskFault      *DiskFault      `json:"diskFault,omitempty" yaml:"diskFault,omitempty"`
	Kill           *Empty          `json:"kill,omitempty" yaml:"kill,omitempty"`
	Pause          *Empty          `json:"pause,omitempty" yaml:"pause,omitempty"`
	Restart        *Empty          `json:"restart,omitempty" yaml:"restart,omitempty"`
	AZDrain        *AZDrain        `json:"azDrain,omitempty" yaml:"azDrain,omitempty"`
	PodKill        *Empty          `json:"podKill,omitempty" yaml:"podKill,omitempty"`
	RollingRestart *RollingRestart `json:"rollingRestart,omitempty" yaml:"rollingRestart,omitempty"`
	Promote        *Empty          `json:"promote,omitempty" yaml:"promote,omitempty"`
	// Extension is the fault of a kind a provider registered (LoadWith),
	// written in the file under the kind's name like the fields above.
	Extension *Extension `json:"-" yaml:"-"`
}

// Selector chooses nodes; at most one of Nodes, Zone, Role; Random picks n of
// what the others chose (or of all nodes).
type Selector struct {
	Nodes  []string `json:"nodes,omitempty" yaml:"nodes,omitempty"`
	Zone   string   `json:"zone,omitempty" yaml:"zone,omitempty"`
	Role   string   `json:"role,omitempty" yaml:"role,omitempty"` // primary | replicas | minority | majority
	Random int      `json:"random,omitempty" yaml:"random,omitempty"`
}

// Partition shapes.
const (
	ShapeIsolate        = "isolate" // the selected nodes are cut from the rest (each alone)
	ShapeHalves         = "halves"  // two halves
	ShapeMajorityMinor  = "majority-minority"
	ShapeMajoritiesRing = "majorities-ring" // each node sees a majority, no two the same
	ShapeBridge         = "bridge"          // two halves joined by one node
	ShapeOneWay         = "one-way"         // the selected nodes cannot send to the rest
	ShapeGroups         = "groups"          // explicit grouping
)

// Partition cuts the network between groups of nodes.
type Partition struct {
	Shape  string     `json:"shape" yaml:"shape"`
	Groups [][]string `json:"groups,omitempty" yaml:"groups,omitempty"` // shape groups
}

// Latency delays (and optionally drops) a node's packets.
type Latency struct {
	Delay  Duration `json:"delay" yaml:"delay"`
	Jitter Duration `json:"jitter,omitempty" yaml:"jitter,omitempty"`
	Loss   float64  `json:"loss,omitempty" yaml:"loss,omitempty"` // percent 0..100
}

// Bandwidth limits a node's traffic with a token bucket.
type Bandwidth struct {
	Rate      Size   `json:"rate" yaml:"rate"`                               // bytes per second, e.g. 1MiB
	Direction string `json:"direction,omitempty" yaml:"direction,omitempty"` // in | out | both (default)
}

// ClockSkew steps a node's wall clock by Offset (may be negative) and,
// with Drift, lets it run fast or slow from then on.
type ClockSkew struct {
	Offset Duration `json:"offset" yaml:"offset"`
	Drift  Drift    `json:"drift,omitempty" yaml:"drift,omitempty"`
}

// DiskThrottle limits a node's block device.
type DiskThrottle struct {
	ReadBPS   Size `json:"readBps,omitempty" yaml:"readBps,omitempty"`
	WriteBPS  Size `json:"writeBps,omitempty" yaml:"writeBps,omitempty"`
	ReadIOPS  int  `json:"readIops,omitempty" yaml:"readIops,omitempty"`
	WriteIOPS int  `json:"writeIops,omitempty" yaml:"writeIops,omitempty"`
}

// DiskFault adds latency or errors to file operations under the data directory.
type DiskFault struct {
	Delay Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
	// ErrorRate is the percentage (0..100) of matching operations that fail with EIO.
	ErrorRate float64 `json:"errorRate,omitempty" yaml:"errorRate,omitempty"`
	// Ops limits the fault to these operations: read, write, fsync, open (default all).
	Ops []string `json:"ops,omitempty" yaml:"ops,omitempty"`
	// Path limits the fault to files whose path under the data dir has this prefix.
	Path string `json:"path,omitempty" yaml:"path,omitempty"`
}

// AZDrain loses a whole zone.
type AZDrain struct {
	Zone string `json:"zone" yaml:"zone"`
}

// RollingRestart restarts nodes one at a time.
type RollingRestart struct {
	Interval Duration `json:"interval,omitempty" yaml:"interval,omitempty"`
}

// Empty is a fault without parameters (kill, pause, restart, podKill, promote).
type Empty struct{}

// Checks: verify's names (verify.ChecksFor says which apply to a workload).
const (
	CheckLostWrites   = verify.NameLostWrites
	CheckSplitBrain   = verify.NameSplitBrain
	CheckRPO          = verify.NameRPO
	CheckRTO          = verify.NameRTO
	CheckBank         = verify.NameBank
	CheckLinearizable = verify.NameLinearizable
	CheckIsolation    = verify.NameIsolation
	CheckConvergence  = verify.NameConvergence
	// CheckTimestampOrder: NOW(6) stamps against the harness's order.
	CheckTimestampOrder = verify.NameTimestampOrder
	CheckRestore        = verify.NameRestore
)

// Verify chooses checks and thresholds.
type Verify struct {
	// Checks to run; default all that apply to the workload.
	Checks []string `json:"checks,omitempty" yaml:"checks,omitempty"`
	// RPO threshold (e.g. 0s); nil = report without a threshold.
	RPO *Duration `json:"rpo,omitempty" yaml:"rpo,omitempty"`
	// RTO threshold from fault start to the first acknowledged write after the outage.
	RTO *Duration `json:"rto,omitempty" yaml:"rto,omitempty"`
	// HealRTO threshold from heal to full service.
	HealRTO *Duration `json:"healRto,omitempty" yaml:"healRto,omitempty"`
	// TimestampOrder is how many timestamp inversions are allowed (e.g. 0);
	// nil = report the count without judging it.
	TimestampOrder *int `json:"timestampOrder,omitempty" yaml:"timestampOrder,omitempty"`
	// Model checked for list-append: read-committed, snapshot-isolation, serializable, strict-serializable.
	Model string `json:"model,omitempty" yaml:"model,omitempty"`
	// Convergence bounds the wait for all nodes to agree after healing; default 60s.
	Convergence Duration `json:"convergence,omitempty" yaml:"convergence,omitempty"`
	// Timeout bounds each checker; default 60s (a timed-out checker is unknown).
	Timeout Duration `json:"timeout,omitempty" yaml:"timeout,omitempty"`
}

// Abort ends a run early: every fault is healed and the run is reported.
type Abort struct {
	// ErrorRate is the fraction (0..1) of completed operations that are fail or info.
	ErrorRate float64  `json:"errorRate" yaml:"errorRate"`
	For       Duration `json:"for" yaml:"for"` // sustained for this long
}
