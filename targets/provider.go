package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

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
	// (reopening the target the record names when the fault needs it), and
	// the kinds registered whole with their spelling and builder.
	Faults(stateDir string) *Registry
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
	// For is how long the step lasts, from its injection to its heal; 0
	// when it lasts to the run's end or is a one-shot.
	For time.Duration
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

// Kind is a fault kind registered whole, with one line in its provider's
// Faults: how the scenario format spells it, how it lives, how it is built
// when its step fires and how it is rebuilt from its ledger record. The
// built-in kinds, spelled by scenarios' Step fields and built by their
// session's BuildFault, are registered in the injectors registry directly.
type Kind struct {
	Spelling scenarios.KindSpec
	Life     injectors.Lifecycle
	// Build makes the fault of a step from its params (the kind's fields as
	// JSON), touching nothing; s is the session of the run.
	Build   func(ctx context.Context, s Session, st Step) (injectors.Fault, error)
	Rebuild injectors.Factory
}

// Registry is a provider's fault kinds: the injectors registry of every
// kind (lifecycles, rebuilders) and the kinds registered whole. Register
// every kind before the registry is used.
type Registry struct {
	*injectors.Registry
	whole map[string]Kind
}

// NewRegistry wraps the injectors registry of a provider's built-in kinds
// (nil = none).
func NewRegistry(r *injectors.Registry) *Registry {
	if r == nil {
		r = injectors.NewRegistry()
	}
	return &Registry{Registry: r, whole: map[string]Kind{}}
}

// Register adds a kind registered whole. A kind registered twice, or
// without a builder or rebuilder, panics.
func (r *Registry) Register(k Kind) {
	if k.Build == nil {
		panic(fmt.Sprintf("targets: fault kind %q registered without a builder", k.Spelling.Name))
	}
	r.RegisterLife(k.Spelling.Name, k.Life, k.Rebuild)
	r.whole[k.Spelling.Name] = k
}

// Spellings are the scenario spellings of the kinds registered whole, by name.
func (r *Registry) Spellings() []scenarios.KindSpec {
	out := make([]scenarios.KindSpec, 0, len(r.whole))
	for _, k := range r.whole {
		out = append(out, k.Spelling)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Build builds the fault of a step: a kind registered whole by its own
// builder, a built-in one by the session.
func (r *Registry) Build(ctx context.Context, s Session, st Step) (injectors.Fault, error) {
	k, ok := r.whole[st.Kind]
	if !ok {
		return s.BuildFault(ctx, st)
	}
	f, err := k.Build(ctx, s, st)
	if err != nil {
		return nil, fmt.Errorf("build %s fault on %s: %w", st.Kind, s.Name(), err)
	}
	if f == nil || f.Kind() != st.Kind {
		return nil, fmt.Errorf("build %s fault on %s: its builder returned a fault of another kind", st.Kind, s.Name())
	}
	return f, nil
}
