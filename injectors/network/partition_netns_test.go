package network

import (
	"context"
	"net"
	"testing"
	"time"

	"faultline.dev/faultline/injectors/network/nstest"
)

func endpoints(nt *nstest.Net) []Endpoint {
	var eps []Endpoint
	for _, n := range nt.Nodes {
		eps = append(eps, Endpoint{Node: n.Name, NetNS: n.NetNS, Addr: n.Addr, Ports: []int{3306, 4567}})
	}
	return eps
}

func TestIntegrationPartitionNamespaces(t *testing.T) {
	nt := nstest.New(t, 201, 3)
	eps := endpoints(nt)
	ctx := t.Context()
	f, err := NewPartition("itest", ShapeMajorityMinor, nil, []string{"n3"}, eps)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(ctx); err != nil { // applying twice leaves one route per cut
		t.Fatalf("second inject: %v", err)
	}
	ev, err := f.Verify(ctx)
	if err != nil || !ev.Held {
		t.Fatalf("verify: held=%v err=%v %s %s", ev.Held, err, ev.Summary, ev.Data)
	}
	// The harness address is never blocked: the minority still reaches it.
	if ok, err := DialFrom(ctx, nt.Nodes[2].NetNS, tcp(nt.Harness, 9), time.Second); err != nil || !ok {
		t.Errorf("minority cannot reach the harness: %v %v", ok, err)
	}
	if rs, err := ListRoutes(nt.Nodes[0].NetNS); err != nil || len(rs) != 1 ||
		rs[0].Dst.String() != nt.Nodes[2].Addr.String()+"/32" || rs[0].Priority != RouteMetric("itest") {
		t.Errorf("routes in n1: %+v %v", rs, err)
	}
	left, err := Leftovers(ctx, "n3", nt.Nodes[2].NetNS, "", "", "")
	if err != nil || len(left) != 2 || !contains(left[0], "n3: faultline route blackhole") {
		t.Errorf("audit while injected: %q %v", left, err)
	}
	if left, _ := Leftovers(ctx, "n3", nt.Nodes[2].NetNS, "", "", "another-run"); len(left) != 0 {
		t.Errorf("audit of another run found %q", left)
	}
	g, err := PartitionFromParams(f.Params()) // recover as after a crash
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := g.Recover(context.WithoutCancel(ctx)); err != nil {
			t.Fatal(err)
		}
	}
	f.Recover(ctx) // closes f's sockets; the routes are gone already
	for _, n := range nt.Nodes {
		if left, err := Leftovers(ctx, n.Name, n.NetNS, "", "", "itest"); err != nil || len(left) != 0 {
			t.Errorf("left in %s: %v %v", n.Name, left, err)
		}
	}
	m, err := ProbeMatrix(ctx, eps, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ev := CompareMatrix(Plan{}, eps, m); len(ev.Wrong) > 0 {
		t.Errorf("after recover: %v", ev.Wrong)
	}
}

// TestIntegrationPartitionShapes injects every shape on five namespaces and
// checks the observed matrix is the planned one, then that recover restores
// full connectivity.
func TestIntegrationPartitionShapes(t *testing.T) {
	nt := nstest.New(t, 205, 5)
	eps := endpoints(nt)
	ctx := t.Context()
	for _, tc := range []struct {
		shape    string
		groups   [][]string
		selected []string
	}{
		{ShapeIsolate, nil, []string{"n2"}},
		{ShapeHalves, nil, nil},
		{ShapeMajorityMinor, nil, []string{"n4", "n5"}},
		{ShapeMajoritiesRing, nil, nil},
		{ShapeBridge, nil, nil},
		{ShapeOneWay, nil, []string{"n1"}},
		{ShapeGroups, [][]string{{"n1"}, {"n2", "n3"}, {"n4", "n5"}}, nil},
	} {
		f, err := NewPartition("shapes", tc.shape, tc.groups, tc.selected, eps)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Inject(ctx); err != nil {
			t.Fatalf("%s: %v", tc.shape, err)
		}
		ev, err := f.Verify(ctx)
		if err != nil || !ev.Held {
			t.Errorf("%s: held=%v err=%v %s", tc.shape, ev.Held, err, ev.Summary)
		}
		if err := f.Recover(ctx); err != nil {
			t.Fatalf("%s: recover: %v", tc.shape, err)
		}
		m, err := ProbeMatrix(ctx, eps, time.Second)
		if ev := CompareMatrix(Plan{}, eps, m); err != nil || len(ev.Wrong) > 0 {
			t.Errorf("%s: after recover: %v %v", tc.shape, ev.Wrong, err)
		}
	}
}

// TestIntegrationPartitionCutsEstablishedConnection checks that a partition
// stops an already open TCP connection both ways, and that it carries data
// again after the heal.
func TestIntegrationPartitionCutsEstablishedConnection(t *testing.T) {
	nt := nstest.New(t, 206, 2)
	ctx := t.Context()
	ln := listenIn(t, nt.Nodes[1].NetNS, tcp(nt.Nodes[1].Addr, 4567))
	client := dialIn(t, nt.Nodes[0].NetNS, tcp(nt.Nodes[1].Addr, 4567))
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	echo(t, client, server, "before", time.Second)
	f, err := NewPartition("estab", ShapeIsolate, nil, []string{"n2"}, endpoints(nt))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Recover(context.Background()) })
	if got := deliver(client, server, "a-to-b", 500*time.Millisecond); got != "" {
		t.Errorf("n1 -> n2 delivered %q during the partition", got)
	}
	if got := deliver(server, client, "b-to-a", 500*time.Millisecond); got != "" {
		t.Errorf("n2 -> n1 delivered %q during the partition", got)
	}
	if err := f.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	// The queued data arrives with TCP's next retransmission.
	if got := readFor(server, 10*time.Second, len("a-to-b")); got != "a-to-b" {
		t.Errorf("after heal n2 read %q", got)
	}
	if got := readFor(client, 10*time.Second, len("b-to-a")); got != "b-to-a" {
		t.Errorf("after heal n1 read %q", got)
	}
}

func TestIntegrationPartitionVerifyDetectsMissingCut(t *testing.T) {
	nt := nstest.New(t, 202, 3)
	f, err := NewPartition("itest2", ShapeIsolate, nil, []string{"n1"}, endpoints(nt))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := f.Verify(t.Context()) // not injected
	if err != nil {
		t.Fatal(err)
	}
	if ev.Held {
		t.Fatalf("verify held without injection: %s", ev.Data)
	}
}

// TestIntegrationRouteBatchReportsFailures checks that a failing message in
// the middle of a batch is reported with its destination and that the rest
// of the batch is still applied.
func TestIntegrationRouteBatchReportsFailures(t *testing.T) {
	nt := nstest.New(t, 210, 4)
	socks, err := openRouteSockets([]string{nt.Nodes[0].NetNS})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(socks)
	s, metric := socks[0], RouteMetric("batch")
	dsts := []net.IP{nt.Nodes[1].Addr, nt.Nodes[2].Addr, nt.Nodes[3].Addr}
	if err := s.apply(opAdd, dsts[1:2], metric); err != nil {
		t.Fatal(err)
	}
	strict := routeOp{opAdd.msgType, opAdd.flags, 0} // EEXIST is an error here
	err = s.apply(strict, dsts, metric)
	if err == nil || !contains(err.Error(), "blackhole route to "+dsts[1].String()) || contains(err.Error(), dsts[0].String()) {
		t.Errorf("batch error: %v", err)
	}
	if rs, err := ListRoutes(nt.Nodes[0].NetNS); err != nil || len(rs) != 3 {
		t.Errorf("routes after the batch: %+v %v", rs, err)
	}
	if err := s.apply(opDel, dsts, metric); err != nil {
		t.Fatal(err)
	}
	if err := s.apply(opDel, dsts, metric); err != nil { // absent routes are fine
		t.Errorf("second delete: %v", err)
	}
}
