package network

import (
	"context"
	"os/exec"
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
	if err := f.Inject(ctx); err != nil { // applying twice leaves one table
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
	if tabs, _ := ListTables(nt.Nodes[0].NetNS); len(tabs) != 1 || tabs[0] != "faultline_itest" {
		t.Errorf("tables in n1: %v", tabs)
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
	for _, n := range nt.Nodes {
		if tabs, err := ListTables(n.NetNS); err != nil || len(tabs) != 0 {
			t.Errorf("tables left in %s: %v %v", n.Name, tabs, err)
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

// BenchmarkPartitionInjectHeal times a majority-minority partition of five
// namespaces: inject (adds only) and heal (deletes, which wait for the
// kernel) separately, per node.
func BenchmarkPartitionInjectHeal(b *testing.B) {
	nt := nstest.New(b, 203, 5)
	f, err := NewPartition("bench", ShapeMajorityMinor, nil, []string{"n4", "n5"}, endpoints(nt))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var inject, heal []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := f.Inject(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := f.Recover(ctx); err != nil {
			b.Fatal(err)
		}
		inject, heal = append(inject, t1.Sub(t0)), append(heal, time.Since(t1))
	}
	reportPerNode(b, "inject", inject, len(nt.Nodes))
	reportPerNode(b, "heal", heal, len(nt.Nodes))
}

// BenchmarkPartitionInjectHealNft applies the same tables with the nft
// command, for comparison.
func BenchmarkPartitionInjectHealNft(b *testing.B) {
	nt := nstest.New(b, 204, 5)
	f, err := NewPartition("bench", ShapeMajorityMinor, nil, []string{"n4", "n5"}, endpoints(nt))
	if err != nil {
		b.Fatal(err)
	}
	specs := f.Specs()
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		for _, n := range nt.Nodes {
			if s, ok := specs[n.Name]; ok {
				nft(b, n, nftScript(s))
			}
		}
		for _, n := range nt.Nodes {
			nft(b, n, "table ip faultline_bench\ndelete table ip faultline_bench\n")
		}
		lat = append(lat, time.Since(t0))
	}
	reportPerNode(b, "cycle", lat, len(nt.Nodes))
}

func nftScript(s TableSpec) string {
	sc := "table ip " + s.Table + "\ndelete table ip " + s.Table + "\ntable ip " + s.Table + " {\n" +
		" chain input { type filter hook input priority 0; policy accept;\n"
	for _, ip := range s.DropFrom {
		sc += "  ip saddr " + ip.String() + " drop\n"
	}
	sc += " }\n chain output { type filter hook output priority 0; policy accept;\n"
	for _, ip := range s.DropTo {
		sc += "  ip daddr " + ip.String() + " drop\n"
	}
	return sc + " }\n}\n"
}

func nft(b *testing.B, n nstest.Node, script string) {
	cmd := exec.Command("ip", "netns", "exec", n.NetNS[len("/run/netns/"):], "nft", "-f", "-")
	cmd.Stdin = stringReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("nft: %v: %s", err, out)
	}
}
