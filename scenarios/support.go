package scenarios

import (
	"maps"
	"slices"
	"strings"
)

// Support is what a build of faultline can drive: for each target kind it
// has a provider for, the fault kinds that provider builds. It comes from the
// providers' registries (providers.Set.FaultKinds), never from a table here,
// so a kind is advertised only once it exists.
type Support map[string][]string

// ValidateSupport refuses, with positions, a target kind this build has no
// provider for and the steps whose fault kind the target's provider does not
// build. Run it before anything is touched (validate, plan and run do).
func ValidateSupport(s *Scenario, sup Support) error {
	v := &validator{s: s, scope: scopeOf(s)}
	tk := s.Spec.Target.Kind()
	if tk == "" {
		return nil // Validate already said so
	}
	kinds, ok := sup[tk]
	if !ok {
		v.errorf(join("spec.target", tk), "this build of faultline has no provider for %s targets; expected one of %s", tk, strings.Join(sup.targets(), ", "))
		return v.errs.Err()
	}
	for i := range s.Spec.Faults {
		kind := s.Spec.Faults[i].Kind()
		if kind != "" && !slices.Contains(kinds, kind) {
			v.errorf(join(index("spec.faults", i), kind), "%s cannot be injected on a %s target; expected one of %s", kind, tk, strings.Join(kinds, ", "))
		}
	}
	return v.errs.Err()
}

func (sup Support) targets() []string { return slices.Sorted(maps.Keys(sup)) }

// KubeOverrides are kubectl's flags (--kubeconfig, --context, -n) given on
// the command line: each set field replaces the scenario's.
type KubeOverrides struct {
	Kubeconfig, Context, Namespace string
}

// ApplyKube applies command-line overrides to a Kubernetes target and
// refuses one that names no kubeconfig context, at its position: faultline
// never attaches to the current context silently. A local target ignores
// them.
func ApplyKube(s *Scenario, o KubeOverrides) error {
	k := s.Spec.Target.Kubernetes
	if k == nil {
		return nil
	}
	if o.Kubeconfig != "" {
		k.Kubeconfig = o.Kubeconfig
	}
	if o.Context != "" {
		k.Context = o.Context
	}
	if o.Namespace != "" {
		k.Namespace = o.Namespace
	}
	v := &validator{s: s, scope: scopeOf(s)}
	if k.Context == "" {
		v.errorf("spec.target.kubernetes", "no kubeconfig context; expected context: NAME here or --context NAME (faultline never uses the current context silently)")
	}
	if o.Namespace != "" {
		v.kubernetes(k) // the namespace given on the command line obeys the file's rules
	}
	return v.errs.Err()
}
