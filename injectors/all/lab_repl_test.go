package all

import (
	"math/rand"
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// TestIntegrationSelectAndPromoteOnReplication resolves roles from live
// probes of a replication lab, promotes a replica and resolves them again.
func TestIntegrationSelectAndPromoteOnReplication(t *testing.T) {
	lab := localtest.TestLab(t, local.Config{Topology: local.Replication, Nodes: 3})
	ctx := t.Context()
	sel := func(role string) string {
		got, err := Select(scenarios.Selector{Role: role}, targets.ProbeAll(ctx, lab), lab.Nodes(), rand.New(rand.NewSource(1)))
		if err != nil {
			t.Fatalf("select %s: %v", role, err)
		}
		return strings.Join(got, " ")
	}
	if p, r := sel("primary"), sel("replicas"); p != "n1" || r != "n2 n3" {
		t.Fatalf("before promote: primary %q replicas %q", p, r)
	}
	f, err := New(ctx, "promote", nil, lab, []string{"n2"}, "itrepl", Env{StateDir: local.StateDir("")})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.Recover(ctx); err != nil { // an operator action: nothing to heal
		t.Fatal(err)
	}
	if p := sel("primary"); p != "n2" {
		t.Errorf("after promote: primary %q, want n2", p)
	}
}
