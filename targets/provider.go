package targets

import (
	"context"
	"encoding/json"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
)

// Ref names a target so that it can be reopened later: every ledger record
// carries the Ref of the target its fault was injected into.
type Ref = injectors.TargetRef

// Versions are the cluster's own software versions, as its servers report
// them (never the harness host's packages).
type Versions struct {
	MariaDB string `json:"mariadb,omitempty"` // SELECT VERSION()
	Galera  string `json:"galera,omitempty"`  // wsrep_provider_version ("" without Galera)
}

// Provider is one kind of target: it brings the scenario's cluster up (the
// local lab) or attaches to it (a Kubernetes StatefulSet), says which fault
// kinds it can build and how each lives, and rebuilds faults from ledger
// records for `faultline recover`. The runner knows only this interface and
// Session; it never type-asserts to a concrete provider.
type Provider interface {
	// Kind is the scenario target kind it serves: "local", "kubernetes".
	Kind() string
	// Open brings the target up or attaches to it, and waits until it is healthy.
	Open(ctx context.Context, s *scenarios.Scenario, o OpenOptions) (Session, error)
	// Faults is the registry of the fault kinds this provider builds: their
	// lifecycles, and factories that rebuild a fault from its ledger record
	// (reopening the target the record names when the fault needs it).
	Faults(stateDir string) *injectors.Registry
}

// OpenOptions are what a provider needs beyond the scenario.
type OpenOptions struct {
	StateDir string                        // where the target keeps crash-surviving state
	Logf     func(format string, a ...any) // progress lines for people (may be nil)
}

// Step is one planned fault at the moment it fires: its kind, the fault's
// own fields from the scenario (JSON), the nodes its selector resolved to and
// the run it belongs to (everything it creates is tagged with it).
type Step struct {
	Kind   string
	Params json.RawMessage
	Nodes  []string
	RunID  string
}

// Session is a target brought up or attached by its provider, for one run.
type Session interface {
	Target
	// Ref names the target for the ledger.
	Ref() Ref
	// BuildFault builds the fault of a step, touching nothing: the runner
	// guards and injects it.
	BuildFault(ctx context.Context, st Step) (injectors.Fault, error)
	// Leftovers lists what run runID left on the target (empty = clean).
	Leftovers(ctx context.Context, runID string) ([]string, error)
	// CollectLogs copies the database nodes' logs into dir.
	CollectLogs(ctx context.Context, dir string) error
	// Versions asks the servers for their software versions.
	Versions(ctx context.Context) Versions
	// Close tears the target down, or detaches from it; with keep it leaves
	// the target up and returns how to reach and remove it.
	Close(ctx context.Context, keep bool) (string, error)
}

// Providers finds the provider of a target kind.
type Providers interface {
	Provider(kind string) (Provider, bool)
}
