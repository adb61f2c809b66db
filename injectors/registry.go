package injectors

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Factory builds a Fault of one kind from its JSON parameters, as recorded
// in the ledger.
type Factory func(params json.RawMessage) (Fault, error)

// Registry maps fault kinds to their factories. Build it explicitly at
// start-up; there is no global registry.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
	lives     map[string]Lifecycle
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: make(map[string]Factory), lives: make(map[string]Lifecycle)}
}

// Register adds a healable kind. It panics if the kind is empty, already
// registered or f is nil: these are programming errors.
func (r *Registry) Register(kind string, f Factory) {
	r.RegisterLife(kind, Lifecycle{}, f)
}

// RegisterLife adds a kind with its lifecycle.
func (r *Registry) RegisterLife(kind string, life Lifecycle, f Factory) {
	if kind == "" || f == nil {
		panic("injectors: Register with an empty kind or a nil factory")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[kind]; dup {
		panic(fmt.Sprintf("injectors: fault kind %q registered twice", kind))
	}
	r.factories[kind] = f
	r.lives[kind] = life
}

// Lifecycle is the registered lifecycle of kind; ok is false for an
// unknown kind.
func (r *Registry) Lifecycle(kind string) (life Lifecycle, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	life, ok = r.lives[kind]
	return life, ok
}

// Build makes a Fault of the given kind from params.
func (r *Registry) Build(kind string, params json.RawMessage) (Fault, error) {
	r.mu.RLock()
	f, ok := r.factories[kind]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown fault kind %q (known: %s)", kind, strings.Join(r.Kinds(), ", "))
	}
	fault, err := f(params)
	if err != nil {
		return nil, fmt.Errorf("build %s fault: %w", kind, err)
	}
	if fault == nil || fault.Kind() != kind {
		return nil, fmt.Errorf("build %s fault: factory returned a fault of another kind", kind)
	}
	return fault, nil
}

// Rebuild builds the fault of a ledger record from its kind and params.
func (r *Registry) Rebuild(_ context.Context, rec Record) (Fault, error) {
	return r.Build(rec.Kind, rec.Params)
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	kinds := make([]string, 0, len(r.factories))
	for k := range r.factories {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return slices.Clip(kinds)
}
