package network

import (
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
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
		{"bridge with every node selected is the middle one", ShapeBridge, n5, nil, n5,
			"n1>n4 n1>n5 n2>n4 n2>n5 n4>n1 n4>n2 n5>n1 n5>n2", ""},
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
	if g.p.Metric != RouteMetric("r1") || len(g.Routes()) != 1 || g.Routes()[0].NetNS != "/run/netns/a" ||
		fmt.Sprint(g.Routes()[0].Dst) != "[198.18.0.12 198.18.0.13]" {
		t.Errorf("rebuilt routes %+v metric %d", g.Routes(), g.p.Metric)
	}
	if _, err := PartitionFromParams([]byte(`{"runId":"old","table":"faultline_old"}`)); err == nil {
		t.Errorf("a record without a route metric was accepted")
	}
}

// routes renders route specs as "node:dst,dst" in order, last octets only.
func routes(rs []NodeRoutes) string {
	var out []string
	for _, r := range rs {
		var ds []string
		for _, d := range r.Dst {
			ds = append(ds, fmt.Sprint(d.To4()[3]))
		}
		out = append(out, r.Node+":"+strings.Join(ds, ","))
	}
	return strings.Join(out, " ")
}

func TestPlanRoutes(t *testing.T) {
	var eps []Endpoint
	var names []string
	for i := 1; i <= 5; i++ {
		n := fmt.Sprintf("n%d", i)
		names = append(names, n)
		eps = append(eps, Endpoint{Node: n, NetNS: "/run/netns/" + n, Addr: net.IPv4(198, 18, 0, byte(10+i))})
	}
	tests := []struct {
		shape    string
		groups   [][]string
		selected []string
		want     string
	}{
		{ShapeIsolate, nil, []string{"n2"}, "n1:12 n2:11,13,14,15 n3:12 n4:12 n5:12"},
		{ShapeHalves, nil, nil, "n1:13,14,15 n2:13,14,15 n3:11,12 n4:11,12 n5:11,12"},
		{ShapeMajorityMinor, nil, []string{"n4", "n5"}, "n1:14,15 n2:14,15 n3:14,15 n4:11,12,13 n5:11,12,13"},
		{ShapeMajoritiesRing, nil, nil, "n1:13,14 n2:14,15 n3:11,15 n4:11,12 n5:12,13"},
		{ShapeBridge, nil, nil, "n1:14,15 n2:14,15 n4:11,12 n5:11,12"},
		{ShapeOneWay, nil, []string{"n1"}, "n1:12,13,14,15"},
		{ShapeGroups, [][]string{{"n1"}, {"n2", "n3"}, {"n4", "n5"}}, nil,
			"n1:12,13,14,15 n2:11,14,15 n3:11,14,15 n4:11,12,13 n5:11,12,13"},
	}
	for _, tc := range tests {
		t.Run(tc.shape, func(t *testing.T) {
			plan, err := PlanPartition(tc.shape, names, tc.groups, tc.selected)
			if err != nil {
				t.Fatal(err)
			}
			rs := PlanRoutes(plan, eps)
			if got := routes(rs); got != tc.want {
				t.Errorf("routes\n got %s\nwant %s", got, tc.want)
			}
			for _, r := range rs { // a route per directed cut, in the sender's namespace
				if r.NetNS != "/run/netns/"+r.Node {
					t.Errorf("%s routes in %s", r.Node, r.NetNS)
				}
			}
		})
	}
}

func TestRouteMetric(t *testing.T) {
	m := RouteMetric("run-1")
	if m != RouteMetric("run-1") || m == RouteMetric("run-2") || m <= 0 || m >= 1<<31 {
		t.Errorf("RouteMetric: %d %d", m, RouteMetric("run-2"))
	}
	if RouteMetric("") == 0 {
		t.Errorf("RouteMetric of an empty id is 0 (no metric)")
	}
}

func TestRouteMessage(t *testing.T) {
	b := appendRouteMessage(nil, opAdd, 7, net.IPv4(198, 18, 0, 12), 0x01020304, true)
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("parse: %v %d", err, len(msgs))
	}
	h := msgs[0].Header
	if h.Type != unix.RTM_NEWROUTE || h.Seq != 7 ||
		h.Flags != unix.NLM_F_REQUEST|unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK {
		t.Errorf("header %+v", h)
	}
	rt := msgs[0].Data
	if rt[0] != unix.AF_INET || rt[1] != 32 || rt[4] != unix.RT_TABLE_MAIN || rt[5] != RouteProtocol ||
		rt[7] != unix.RTN_BLACKHOLE {
		t.Errorf("rtmsg % x", rt[:unix.SizeofRtMsg])
	}
	attrs := fmt.Sprintf("% x", rt[unix.SizeofRtMsg:])
	if want := "08 00 01 00 c6 12 00 0c 08 00 06 00 " + fmt.Sprintf("% x", binary.NativeEndian.AppendUint32(nil, 0x01020304)); attrs != want {
		t.Errorf("attributes %s, want %s", attrs, want)
	}
	if del := appendRouteMessage(nil, opDel, 8, net.IPv4(198, 18, 0, 12), 1, false); binary.NativeEndian.Uint16(del[6:]) != unix.NLM_F_REQUEST {
		t.Errorf("delete without ack has flags %x", binary.NativeEndian.Uint16(del[6:]))
	}
}
