package network

import (
	"context"
	"testing"
	"time"

	"faultline.dev/faultline/injectors/network/nstest"
)

func TestIntegrationCapabilities(t *testing.T) {
	caps := Capabilities(t.Context())
	if len(caps) != 2 {
		t.Fatalf("caps %+v", caps)
	}
	for _, c := range caps {
		if !c.OK && c.Reason == "" {
			t.Errorf("%s unavailable without a reason", c.Name)
		}
		t.Logf("%+v", c)
	}
	if _, err := LatencyMethod(caps); err != nil {
		t.Errorf("no latency method on this machine: %v", err)
	}
}

func TestIntegrationLatencyNFQueue(t *testing.T) {
	nt := nstest.New(t, 207, 1)
	testLatencyQueue(t, nt.Nodes[0], MethodNFQueue)
}

// The agent's method: the same queue consumer, the rule in an nftables
// table of its own rather than through the iptables binary.
func TestIntegrationLatencyNFTablesQueue(t *testing.T) {
	nt := nstest.New(t, 209, 1)
	n := nt.Nodes[0]
	testLatencyQueue(t, n, MethodNFTables)
	if tables, err := ListTables(n.NetNS); err != nil || len(tables) > 0 {
		t.Errorf("tables left after recover: %v %v", tables, err)
	}
}

func testLatencyQueue(t *testing.T, n nstest.Node, method string) {
	ep := Endpoint{Node: n.Name, NetNS: n.NetNS, Addr: n.Addr, Ports: []int{3306}}
	f := NewLatency("ilat", method, ep, n.Link, 60*time.Millisecond, 5*time.Millisecond, 0)
	ctx := t.Context()
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Recover(context.Background()) })
	ev, err := f.Verify(ctx)
	if err != nil || !ev.Held {
		t.Fatalf("verify: %v %s", err, ev.Summary)
	}
	t.Log(ev.Summary)
	if err := f.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	g, _ := LatencyFromParams(f.Params())
	if err := g.Recover(ctx); err != nil { // idempotent, as after a crash
		t.Fatal(err)
	}
	if out, _ := nstest.Exec(n, "iptables", "-S", "OUTPUT"); len(out) > 0 && contains(string(out), "NFQUEUE") {
		t.Errorf("rule left: %s", out)
	}
	if rtt, err := ConnectRTT(ctx, n.Addr, 3306, 5); err != nil || rtt > 20*time.Millisecond {
		t.Errorf("RTT after recover %v %v", rtt, err)
	}
}

func TestIntegrationBandwidth(t *testing.T) {
	nt := nstest.New(t, 208, 1)
	n := nt.Nodes[0]
	places, err := BandwidthPlaces(DirBoth, n.NetNS, n.HostLink, n.Link)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewBandwidth("ibw", n.Name, 1<<20, places)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := f.Verify(ctx)
	if err != nil || !ev.Held {
		t.Fatalf("verify: %v %s", err, ev.Summary)
	}
	g, _ := BandwidthFromParams(f.Params())
	for range 2 {
		if err := g.Recover(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ev, _ := f.Verify(ctx); ev.Held {
		t.Errorf("tbf still present after recover: %s", ev.Summary)
	}
}
