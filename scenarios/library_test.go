package scenarios_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/scenarios/library"
)

func TestLibraryScenariosLoadValidateAndPlan(t *testing.T) {
	names := library.Names()
	if len(names) < 10 {
		t.Fatalf("library has %d scenarios, want at least 10: %v", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := library.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte("# ")) || !bytes.Contains(data, []byte("Thresholds:")) {
				t.Errorf("%s: want a header comment with what it shows and its Thresholds", name)
			}
			s, err := scenarios.LoadWith(name+".yaml", data, providers.Default().Spellings())
			if err != nil {
				t.Fatalf("load:\n%v", err)
			}
			if s.Metadata.Name != name {
				t.Errorf("metadata.name = %q, want the file name %q", s.Metadata.Name, name)
			}
			if d := s.Spec.Workload.Duration.D().Seconds(); d < 45 || d > 60 {
				t.Errorf("workload duration %vs, want 45..60s", d)
			}
			p := scenarios.NewPlan(s, 42)
			if len(p.Steps) == 0 {
				t.Error("plan has no steps")
			}
			var table strings.Builder
			if err := p.WriteTable(&table); err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(p); err != nil {
				t.Fatal(err)
			}
		})
	}
}
