package all

import (
	"math/rand"
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

func TestSelect(t *testing.T) {
	nodes := []targets.Node{{Name: "n1", Zone: "a"}, {Name: "n2", Zone: "b"}, {Name: "n3", Zone: "c"}, {Name: "n4", Zone: "a"}, {Name: "n5", Zone: "b"}}
	galera := []targets.Probe{
		{Node: "n1", Reachable: false, Role: targets.RoleDown},
		{Node: "n2", Reachable: true, Writable: true, Role: targets.RoleGaleraSynced},
		{Node: "n3", Reachable: true, Writable: true, Role: targets.RoleGaleraSynced},
		{Node: "n4", Reachable: true, Role: targets.RoleGaleraOther},
		{Node: "n5", Reachable: true, Writable: true, Role: targets.RoleGaleraSynced},
	}
	repl := []targets.Probe{
		{Node: "n1", Reachable: true, ReadOnly: true, Role: targets.RoleReplica},
		{Node: "n2", Reachable: true, Writable: true, Role: targets.RolePrimary},
		{Node: "n3", Reachable: false, Role: targets.RoleDown},
		{Node: "n4", Reachable: true, ReadOnly: true, Role: targets.RoleReplica},
		{Node: "n5", Reachable: true, ReadOnly: true, Role: targets.RoleReplica},
	}
	tests := []struct {
		name   string
		sel    scenarios.Selector
		probes []targets.Probe
		want   string
		err    string
	}{
		{"all", scenarios.Selector{}, galera, "n1 n2 n3 n4 n5", ""},
		{"names in target order", scenarios.Selector{Nodes: []string{"n3", "n1"}}, galera, "n1 n3", ""},
		{"unknown name", scenarios.Selector{Nodes: []string{"n9"}}, galera, "", "unknown node"},
		{"zone", scenarios.Selector{Zone: "a"}, galera, "n1 n4", ""},
		{"empty zone", scenarios.Selector{Zone: "z"}, galera, "", "no node in zone"},
		{"galera primary", scenarios.Selector{Role: "primary"}, galera, "n2", ""},
		{"galera replicas", scenarios.Selector{Role: "replicas"}, galera, "n3 n5", ""},
		{"repl primary", scenarios.Selector{Role: "primary"}, repl, "n2", ""},
		{"repl replicas reachable", scenarios.Selector{Role: "replicas"}, repl, "n1 n4 n5", ""},
		{"no primary", scenarios.Selector{Role: "primary"}, nil, "", "no writable primary"},
		{"random of zone", scenarios.Selector{Zone: "b", Random: 2}, galera, "n2 n5", ""},
		{"random too many", scenarios.Selector{Zone: "b", Random: 3}, galera, "", "only 2"},
		{"unknown role", scenarios.Selector{Role: "leader"}, galera, "", "unknown role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Select(tc.sel, tc.probes, nodes, rand.New(rand.NewSource(1)))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Errorf("got %v %v, want %s", got, err, tc.want)
			}
		})
	}
}

func TestSelectMinorityMajority(t *testing.T) {
	nodes := []targets.Node{{Name: "n1"}, {Name: "n2"}, {Name: "n3"}, {Name: "n4"}, {Name: "n5"}}
	for seed := int64(1); seed <= 20; seed++ {
		min, err := Select(scenarios.Selector{Role: "minority"}, nil, nodes, rand.New(rand.NewSource(seed)))
		if err != nil {
			t.Fatal(err)
		}
		maj, _ := Select(scenarios.Selector{Role: "majority"}, nil, nodes, rand.New(rand.NewSource(seed)))
		if len(min) != 2 || len(maj) != 3 {
			t.Fatalf("seed %d: minority %v majority %v", seed, min, maj)
		}
		for _, n := range min {
			if strings.Contains(strings.Join(maj, " "), n) {
				t.Errorf("seed %d: %s in both", seed, n)
			}
		}
		again, _ := Select(scenarios.Selector{Role: "minority"}, nil, nodes, rand.New(rand.NewSource(seed)))
		if strings.Join(again, " ") != strings.Join(min, " ") {
			t.Errorf("seed %d: not deterministic: %v then %v", seed, min, again)
		}
	}
	if _, err := Select(scenarios.Selector{Role: "minority"}, nil, nodes[:2], rand.New(rand.NewSource(1))); err == nil {
		t.Error("2 nodes: want no minority")
	}
}
