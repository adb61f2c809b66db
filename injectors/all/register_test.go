package all

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/clock"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/targets"
)

func TestRegisterEveryKind(t *testing.T) {
	r := NewRegistry(Env{})
	kinds := slices.Sorted(slices.Values(Kinds()))
	if got := r.Kinds(); !slices.Equal(got, kinds) {
		t.Errorf("kinds %v, want %v", got, kinds)
	}
	for _, shape := range []string{network.ShapeIsolate, network.ShapeHalves, network.ShapeMajorityMinor,
		network.ShapeMajoritiesRing, network.ShapeBridge, network.ShapeOneWay, network.ShapeGroups} {
		if _, err := network.PlanPartition(shape, []string{"n1", "n2", "n3", "n4", "n5"}, [][]string{{"n1", "n2"}, {"n3", "n4", "n5"}}, []string{"n1"}); err != nil {
			t.Errorf("shape %s: %v", shape, err)
		}
	}
}

// A multi-node fault is rebuilt from its recorded params through the registry
// and recovers every node.
func TestMultiRebuiltFromLedgerParams(t *testing.T) {
	dir := t.TempDir()
	var parts []injectors.Fault
	for _, n := range []string{"n1", "n2"} {
		file := filepath.Join(dir, n)
		os.WriteFile(file, []byte("+0\n"), 0o644)
		f, err := clock.New("r", targets.Node{Name: n}, file, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, f)
	}
	m := NewMulti(clock.Kind, parts)
	if err := m.Inject(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, err := NewRegistry(Env{}).Build(clock.Kind, m.Params())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2"} {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); strings.TrimSpace(string(b)) != "+0" {
			t.Errorf("%s: %q after recover", n, b)
		}
	}
}

func TestDiskFaultRebuiltFromParams(t *testing.T) {
	r := NewRegistry(Env{})
	raw := `{"parts":[{"runId":"r","node":"n1","control":"/nonexistent/diskfault.json","dir":"/nonexistent/db","delay":20000000,"ops":["fsync"]}]}`
	f, err := r.Build("diskFault", json.RawMessage(raw))
	if err != nil {
		t.Fatalf("build from params: %v", err)
	}
	if f.Kind() != "diskFault" {
		t.Errorf("kind %q", f.Kind())
	}
	// the lab is gone: recovery is a no-op, not an error
	if err := f.Recover(context.Background()); err != nil {
		t.Errorf("recover without a control file: %v", err)
	}
}
