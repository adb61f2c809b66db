package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"sort"

	"gopkg.in/yaml.v3"
)

// KindSpec is how the scenario format spells a fault kind that a provider
// registers beyond the built-in ones (Step's fault fields): its name as a
// step field, its conflict family, whether it chooses nodes by the step's
// select, the Go type its fields decode into — strictly, by the decoder of
// the rest of the file, so unknown fields and bad values are positioned
// errors with suggestions — and its own validation rules. Build one with
// Spell; LoadWith accepts steps of the kinds it is given.
type KindSpec struct {
	Name string // the step field, e.g. "outage"
	// Family: two overlapping steps of one family may not touch the same
	// node (FamilyNetwork, …); "" = the kind conflicts with nothing.
	Family string
	// Selects says the step's nodes come from its select, validated as the
	// built-in kinds' are; false refuses a select.
	Selects bool

	params reflect.Type              // the struct its fields decode into
	rules  func(params any, r Rules) // nil = no rules beyond decoding
}

// Spell completes k with its fields, the struct P (with yaml tags for the
// scenario file and json tags for the planned step's params), and the rules
// that check them (nil = none).
func Spell[P any](k KindSpec, rules func(p *P, r Rules)) KindSpec {
	t := reflect.TypeFor[P]()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("scenarios: fault kind %q: fields must be a struct, have %s", k.Name, t))
	}
	k.params = t
	if rules != nil {
		k.rules = func(p any, r Rules) { rules(p.(*P), r) }
	}
	return k
}

// ParamsType is the struct a step of the kind decodes into.
func (k KindSpec) ParamsType() reflect.Type {
	if k.params == nil {
		return reflect.TypeFor[Empty]()
	}
	return k.params
}

// Extension is a step's fault of a kind registered through LoadWith.
type Extension struct {
	Kind string
	// Params points to the kind's fields as decoded (a *P of Spell).
	Params any
	spec   KindSpec
}

// Rules reports a registered kind's validation errors at the position of
// the field they are about.
type Rules struct {
	v    *validator
	path string // the kind's mapping, e.g. spec.faults[2].outage
	st   *Step
}

// Errorf reports an error about field, a path relative to the kind's
// mapping ("cause", "ops[1]"; "" = the mapping itself).
func (r Rules) Errorf(field, format string, args ...any) {
	p := r.path
	if field != "" {
		p = join(p, field)
	}
	r.v.errorf(p, format, args...)
}

// Lasts reports whether the step is healed at a time of its own (it has a
// for), for kinds that cannot last to the run's end.
func (r Rules) Lasts() bool { return r.st != nil && r.st.For != nil }

// Target is the scenario's target, for rules that depend on it.
func (r Rules) Target() Target { return r.v.s.Spec.Target }

// LoadWith is LoadBytes accepting, besides the built-in fault kinds, steps
// of the given registered kinds. Two kinds of one name, or a kind named as
// a built-in step field, panic: they are programming errors.
func LoadWith(name string, data []byte, kinds []KindSpec) (*Scenario, error) {
	return loadKinds(name, data, kindTable(kinds))
}

// kindTable indexes registered kinds by name.
func kindTable(kinds []KindSpec) map[string]KindSpec {
	t := map[string]KindSpec{}
	builtin := fieldsOf(reflect.TypeFor[Step]()).index
	for _, k := range kinds {
		_, dup := t[k.Name]
		_, taken := builtin[k.Name]
		if k.Name == "" || dup || taken {
			panic(fmt.Sprintf("scenarios: fault kind %q registered twice, empty or a built-in step field", k.Name))
		}
		t[k.Name] = k
	}
	return t
}

func kindNames(t map[string]KindSpec) []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var stepType = reflect.TypeFor[Step]()

// extension decodes a step field that names a registered kind; false when
// the field names none.
func (d *decoder) extension(k, val *yaml.Node, v reflect.Value, path string) bool {
	spec, ok := d.kinds[k.Value]
	if !ok || v.Type() != stepType {
		return false
	}
	st := v.Addr().Interface().(*Step)
	if st.Extension != nil {
		d.errorf(k, join(path, k.Value), "step has 2 faults (%s, %s); expected exactly one per step", st.Extension.Kind, k.Value)
		return true
	}
	p := reflect.New(spec.ParamsType())
	d.decode(val, p.Elem(), join(path, k.Value))
	st.Extension = &Extension{Kind: spec.Name, Params: p.Interface(), spec: spec}
	return true
}

// stepFields are the names a step mapping may hold, for suggestions.
func (d *decoder) stepFields(t reflect.Type, names []string) []string {
	if t != stepType || len(d.kinds) == 0 {
		return names
	}
	out := append(slices.Clone(names), kindNames(d.kinds)...)
	sort.Strings(out)
	return out
}

// extensionParams checks a registered kind's fields and selection.
func (v *validator) extensionParams(fp, sp string, st *Step) {
	x := st.Extension
	if x.spec.rules != nil {
		x.spec.rules(x.Params, Rules{v: v, path: fp, st: st})
	}
	if x.spec.Selects {
		v.selector(sp, st.Select)
		return
	}
	v.noSelector(sp, st.Select, x.Kind+" chooses no nodes")
}

// faultKinds lists every kind a step of s may hold.
func (s *Scenario) faultKinds() []string {
	return append(FaultKinds(), kindNames(s.kinds)...)
}

// family is the conflict family of the step's fault.
func (st *Step) family() string {
	if st.Extension != nil && len(st.Faults()) == 1 {
		return st.Extension.spec.Family
	}
	return Family(st.Kind())
}
