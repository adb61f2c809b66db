// Package providers wires the target providers of this build: one per
// scenario target kind. The CLI hands the set to the runner and to
// `faultline recover`; nothing else names a concrete provider.
package providers

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// Set is the providers of this build, by target kind.
type Set map[string]targets.Provider

var _ targets.Providers = Set(nil)

// Default is every provider this build has.
func Default() Set {
	return New(Local{}, Kube{})
}

// New is a set of the given providers; two of one kind panic.
func New(ps ...targets.Provider) Set {
	s := Set{}
	for _, p := range ps {
		if _, dup := s[p.Kind()]; dup {
			panic(fmt.Sprintf("providers: target kind %q provided twice", p.Kind()))
		}
		s[p.Kind()] = p
	}
	return s
}

// Provider is the provider of a target kind.
func (s Set) Provider(kind string) (targets.Provider, bool) {
	p, ok := s[kind]
	return p, ok
}

// Kinds lists the target kinds provided, sorted.
func (s Set) Kinds() []string { return slices.Sorted(maps.Keys(s)) }

// Support lists, per target kind, the fault kinds its provider builds: what
// validation accepts.
func (s Set) Support() scenarios.Support {
	out := scenarios.Support{}
	for k, p := range s {
		out[k] = p.Faults("").Kinds()
	}
	return out
}

// Spellings are the scenario spellings of the fault kinds every provider
// registered whole, by name: what the loader accepts beside the built-in
// kinds (ValidateSupport then refuses a kind the target's provider lacks).
// Two providers may share a kind only with one params type; else it panics.
func (s Set) Spellings() []scenarios.KindSpec {
	byName := map[string]scenarios.KindSpec{}
	for _, tk := range s.Kinds() {
		for _, k := range s[tk].Faults("").Spellings() {
			switch have, dup := byName[k.Name]; {
			case !dup:
				byName[k.Name] = k
			case have.ParamsType() != k.ParamsType():
				panic(fmt.Sprintf("providers: fault kind %q spelled with %s and %s", k.Name, have.ParamsType(), k.ParamsType()))
			}
		}
	}
	out := make([]scenarios.KindSpec, 0, len(byName))
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[n])
	}
	return out
}

// Rebuilder rebuilds ledger records with the provider of each record's
// target kind (records without a target are local labs', written before
// records named their target).
func (s Set) Rebuilder(stateDir string) injectors.Rebuilder {
	return rebuilder{set: s, stateDir: stateDir, regs: map[string]*injectors.Registry{}}
}

type rebuilder struct {
	set      Set
	stateDir string
	regs     map[string]*injectors.Registry
}

func (r rebuilder) Rebuild(ctx context.Context, rec injectors.Record) (injectors.Fault, error) {
	kind := rec.Target.Kind
	if kind == "" {
		kind = KindLocal
	}
	reg, ok := r.regs[kind]
	if !ok {
		p, found := r.set.Provider(kind)
		if !found {
			return nil, fmt.Errorf("target %s %q: this build has no provider for it (have %s)", kind, rec.Target.Name, strings.Join(r.set.Kinds(), ", "))
		}
		reg = p.Faults(r.stateDir).Registry
		r.regs[kind] = reg
	}
	return reg.Rebuild(ctx, rec)
}
