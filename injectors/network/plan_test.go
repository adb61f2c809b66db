package network

import (
	"slices"
	"strings"
	"testing"
)

// cuts renders a plan as sorted "a>b" pairs.
func cuts(p Plan) string {
	var out []string
	for c := range p {
		out = append(out, c.From+">"+c.To)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestPlanPartition(t *testing.T) {
	n3 := []string{"n1", "n2", "n3"}
	n4 := []string{"n1", "n2", "n3", "n4"}
	n5 := []string{"n1", "n2", "n3", "n4", "n5"}
	tests := []struct {
		name     string
		shape    string
		nodes    []string
		groups   [][]string
		selected []string
		want     string
		err      string
	}{
		{"isolate one", ShapeIsolate, n3, nil, []string{"n2"}, "n1>n2 n2>n1 n2>n3 n3>n2", ""},
		{"isolate two each alone", ShapeIsolate, n3, nil, []string{"n1", "n2"},
			"n1>n2 n1>n3 n2>n1 n2>n3 n3>n1 n3>n2", ""},
		{"isolate none", ShapeIsolate, n3, nil, nil, "", "no node selected"},
		{"halves of 4", ShapeHalves, n4, nil, nil,
			"n1>n3 n1>n4 n2>n3 n2>n4 n3>n1 n3>n2 n4>n1 n4>n2", ""},
		{"halves selected first", ShapeHalves, n3, nil, []string{"n3"}, "n1>n3 n2>n3 n3>n1 n3>n2", ""},
		{"minority", ShapeMajorityMinor, n3, nil, []string{"n3"}, "n1>n3 n2>n3 n3>n1 n3>n2", ""},
		{"not a minority", ShapeMajorityMinor, n4, nil, []string{"n1", "n2"}, "", "not a minority"},
		{"ring of 5", ShapeMajoritiesRing, n5, nil, nil,
			"n1>n3 n1>n4 n2>n4 n2>n5 n3>n1 n3>n5 n4>n1 n4>n2 n5>n2 n5>n3", ""},
		{"ring of 3", ShapeMajoritiesRing, n3, nil, nil, "", "at least 4"},
		{"bridge middle", ShapeBridge, n5, nil, nil,
			"n1>n4 n1>n5 n2>n4 n2>n5 n4>n1 n4>n2 n5>n1 n5>n2", ""},
		{"bridge selected", ShapeBridge, n3, nil, []string{"n1"}, "n2>n3 n3>n2", ""},
		{"one-way", ShapeOneWay, n3, nil, []string{"n1"}, "n1>n2 n1>n3", ""},
		{"groups", ShapeGroups, n4, [][]string{{"n1", "n2"}, {"n3"}, {"n4"}},
			nil, "n1>n3 n1>n4 n2>n3 n2>n4 n3>n1 n3>n2 n3>n4 n4>n1 n4>n2 n4>n3", ""},
		{"groups ungrouped", ShapeGroups, n3, [][]string{{"n1"}, {"n2"}}, nil, "", "in no group"},
		{"groups twice", ShapeGroups, n3, [][]string{{"n1", "n2"}, {"n2", "n3"}}, nil, "", "in two groups"},
		{"unknown node", ShapeIsolate, n3, nil, []string{"n9"}, "", "unknown node"},
		{"unknown shape", "zigzag", n3, nil, nil, "", "unknown shape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PlanPartition(tc.shape, tc.nodes, tc.groups, tc.selected)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cuts(p); got != tc.want {
				t.Errorf("cuts\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRingViewsAreDistinctMajorities(t *testing.T) {
	for n := 4; n <= 9; n++ {
		nodes := make([]string, n)
		for i := range nodes {
			nodes[i] = string(rune('a' + i))
		}
		p, err := PlanPartition(ShapeMajoritiesRing, nodes, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		views := map[string]bool{}
		for _, a := range nodes {
			var view []string
			for _, b := range nodes {
				if a == b || p.Reachable(a, b) {
					view = append(view, b)
				}
			}
			if 2*len(view) <= n {
				t.Errorf("n=%d: %s sees %v, not a majority", n, a, view)
			}
			views[strings.Join(view, "")] = true
		}
		if len(views) != n {
			t.Errorf("n=%d: %d distinct views, want %d", n, len(views), n)
		}
	}
}

func TestTableName(t *testing.T) {
	if got := TableName("run-2026.11/x"); got != "faultline_run_2026_11_x" {
		t.Errorf("TableName = %q", got)
	}
}

func TestPartitionParamsRoundTrip(t *testing.T) {
	eps := []Endpoint{
		{Node: "n1", NetNS: "/run/netns/a", Addr: []byte{198, 18, 0, 11}, Ports: []int{3306, 4567}},
		{Node: "n2", NetNS: "/run/netns/b", Addr: []byte{198, 18, 0, 12}, Ports: []int{3306, 4567}},
		{Node: "n3", NetNS: "/run/netns/c", Addr: []byte{198, 18, 0, 13}, Ports: []int{3306, 4567}},
	}
	f, err := NewPartition("r1", ShapeOneWay, nil, []string{"n1"}, eps)
	if err != nil {
		t.Fatal(err)
	}
	g, err := PartitionFromParams(f.Params())
	if err != nil {
		t.Fatal(err)
	}
	if cuts(g.Plan()) != "n1>n2 n1>n3" {
		t.Errorf("rebuilt plan %s", cuts(g.Plan()))
	}
	specs := g.Specs()
	if len(specs["n1"].DropTo) != 2 || len(specs["n2"].DropFrom) != 1 || specs["n2"].Table != "faultline_r1" {
		t.Errorf("specs %+v", specs)
	}
}
