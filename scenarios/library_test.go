package scenarios_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

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
			s, err := scenarios.LoadBytes(name+".yaml", data)
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

func TestLibraryDefaultAlias(t *testing.T) {
	a, err := library.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := library.Get("galera-minority-partition")
	if !bytes.Equal(a, b) {
		t.Error("default is not galera-minority-partition")
	}
	src, data, err := library.Resolve("default")
	if err != nil || src != "library/galera-minority-partition.yaml" || !bytes.Equal(data, b) {
		t.Errorf("Resolve(default) = %q, %d bytes, %v", src, len(data), err)
	}
	if _, _, err := library.Resolve("no-such-scenario"); err == nil {
		t.Error("Resolve of an unknown name succeeded")
	}
}

func TestResolveReadsPaths(t *testing.T) {
	src, data, err := library.Resolve("testdata/bad.yaml")
	if err != nil || src != "testdata/bad.yaml" || len(data) == 0 {
		t.Fatalf("Resolve(path) = %q, %d bytes, %v", src, len(data), err)
	}
}
