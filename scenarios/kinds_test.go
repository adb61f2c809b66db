package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
)

// probe is a registered kind that chooses no nodes and conflicts with
// nothing; its one field is a duration, decoded with the file's units.
type probe struct {
	Every Duration `json:"every" yaml:"every"`
}

var probeKind = Spell(KindSpec{Name: "probe"}, func(p *probe, r Rules) {
	if p.Every <= 0 {
		r.Errorf("every", "every %s; expected a duration > 0", p.Every)
	}
})

func loadProbe(t *testing.T, d doc) (*Scenario, error) {
	t.Helper()
	return LoadWith("t.yaml", []byte(d.String()), []KindSpec{probeKind})
}

func TestRegisteredKindLoads(t *testing.T) {
	s, err := loadProbe(t, doc{faults: step("probe: {every: 1m30s}")})
	if err != nil {
		t.Fatal(err)
	}
	st := &s.Spec.Faults[0]
	if st.Kind() != "probe" || st.Fault().(*probe).Every.D().String() != "1m30s" {
		t.Fatalf("step kind %q fault %+v", st.Kind(), st.Fault())
	}
	params, _ := json.Marshal(st.Fault())
	if got := string(NewPlan(s, 1).Steps[0].Params); got != string(params) || !strings.Contains(got, `"every":"1m30s"`) {
		t.Errorf("planned params %s; want the kind's fields as JSON", got)
	}
}

func TestRegisteredKindRules(t *testing.T) {
	for _, tc := range []struct {
		name, faults, path, contains string
	}{
		{"its rule", step("probe: {every: 0s}"), "spec.faults[0].probe.every", "expected a duration > 0"},
		{"its units", step("probe: {every: often}"), "spec.faults[0].probe.every", `"often" is not a duration`},
		{"no field given", step("probe:"), "spec.faults[0].probe.every", "every 0s"},
		{"a select it does not take", step("probe: {every: 1s}", "select: {nodes: [n1]}"), "spec.faults[0].select", "probe chooses no nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadProbe(t, doc{faults: tc.faults})
			l, _ := err.(ErrorList)
			if len(l) != 1 || l[0].Path != tc.path || !strings.Contains(l[0].Msg, tc.contains) || l[0].Line == 0 {
				t.Errorf("errors %v; want one at %s containing %q", err, tc.path, tc.contains)
			}
		})
	}
}

// A kind without a family conflicts with nothing: two probes overlap.
func TestRegisteredKindWithoutFamily(t *testing.T) {
	faults := step("probe: {every: 1s}") + step("probe: {every: 2s}")
	if _, err := loadProbe(t, doc{faults: faults}); err != nil {
		t.Fatal(err)
	}
}

func TestRegisteredKindNamesPanic(t *testing.T) {
	for name, kinds := range map[string][]KindSpec{
		"twice":    {probeKind, probeKind},
		"built-in": {Spell(KindSpec{Name: FaultKill}, func(*probe, Rules) {})},
		"field":    {{Name: "select"}},
		"empty":    {{}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("LoadWith with %s kinds did not panic", name)
				}
			}()
			_, _ = LoadWith("t.yaml", []byte(doc{}.String()), kinds)
		})
	}
}
