package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"faultline.dev/faultline/injectors/network/nstest"
)

// benchPartition is a majority-minority partition of five namespaces: 12
// directed cuts, 2 or 3 per node.
func benchPartition(b *testing.B, octet int) (*nstest.Net, *Partition) {
	nt := nstest.New(b, octet, 5)
	f, err := NewPartition("bench", ShapeMajorityMinor, nil, []string{"n4", "n5"}, endpoints(nt))
	if err != nil {
		b.Fatal(err)
	}
	return nt, f
}

// BenchmarkPartitionInjectHeal times the partition fault itself: inject
// (opens a route socket per node and adds its blackhole routes) and heal
// (deletes them and closes the sockets), per node and per route.
func BenchmarkPartitionInjectHeal(b *testing.B) {
	nt, f := benchPartition(b, 203)
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
	report(b, nt, f, inject, heal)
}

// BenchmarkPartitionInjectHealNetlinkLib adds and deletes the same routes
// through the netlink library, one request per route on a handle opened
// per node, for comparison with the batched writes of the partition.
func BenchmarkPartitionInjectHealNetlinkLib(b *testing.B) {
	nt, f := benchPartition(b, 211)
	route := func(dst net.IP) *netlink.Route {
		return &netlink.Route{Dst: &net.IPNet{IP: dst.To4(), Mask: net.CIDRMask(32, 32)}, Type: unix.RTN_BLACKHOLE,
			Protocol: RouteProtocol, Priority: f.p.Metric, Table: unix.RT_TABLE_MAIN, Family: netlink.FAMILY_V4}
	}
	hs := make([]*netlink.Handle, len(f.Routes()))
	var inject, heal []time.Duration
	for b.Loop() {
		t0 := time.Now()
		for i, r := range f.Routes() {
			var err error
			if hs[i], err = openRoutes(r.NetNS); err != nil {
				b.Fatal(err)
			}
			for _, d := range r.Dst {
				if err := hs[i].RouteAdd(route(d)); err != nil {
					b.Fatal(err)
				}
			}
		}
		t1 := time.Now()
		for i, r := range f.Routes() {
			for _, d := range r.Dst {
				if err := hs[i].RouteDel(route(d)); err != nil {
					b.Fatal(err)
				}
			}
			hs[i].Close()
		}
		inject, heal = append(inject, t1.Sub(t0)), append(heal, time.Since(t1))
	}
	report(b, nt, f, inject, heal)
}

// BenchmarkPartitionInjectHealIPRoute adds and deletes the same routes with
// one `ip -n NS route add|del blackhole …` command per route, for comparison.
func BenchmarkPartitionInjectHealIPRoute(b *testing.B) {
	nt, f := benchPartition(b, 204)
	var inject, heal []time.Duration
	each := func(verb string) {
		for _, r := range f.Routes() {
			for _, d := range r.Dst {
				ipRoute(b, r.NetNS, verb, d.String()+"/32", f.p.Metric)
			}
		}
	}
	for b.Loop() {
		t0 := time.Now()
		each("add")
		t1 := time.Now()
		each("del")
		inject, heal = append(inject, t1.Sub(t0)), append(heal, time.Since(t1))
	}
	report(b, nt, f, inject, heal)
}

// BenchmarkPartitionInjectHealNftables applies the same cuts the way the
// partition did before routes: one nftables table per node (in-process
// netlink), deleted on heal. Deleting waits for an RCU grace period.
func BenchmarkPartitionInjectHealNftables(b *testing.B) {
	nt, f := benchPartition(b, 208)
	specs := map[string]TableSpec{}
	for _, r := range f.Routes() {
		specs[r.NetNS] = TableSpec{Table: "faultline_bench", DropTo: r.Dst}
	}
	var inject, heal []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := concurrently(f.Routes(), func(r NodeRoutes) error { return ApplyTable(r.NetNS, specs[r.NetNS]) }); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := concurrently(f.Routes(), func(r NodeRoutes) error { return DeleteTable(r.NetNS, "faultline_bench") }); err != nil {
			b.Fatal(err)
		}
		inject, heal = append(inject, t1.Sub(t0)), append(heal, time.Since(t1))
	}
	report(b, nt, f, inject, heal)
}

// concurrently runs fn for every node at once, as the nftables partition
// did (each commit waits for the kernel, so they overlap).
func concurrently(rs []NodeRoutes, fn func(NodeRoutes) error) error {
	errs := make([]error, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() { errs[i] = fn(r) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func report(b *testing.B, nt *nstest.Net, f *Partition, inject, heal []time.Duration) {
	routes := 0
	for _, r := range f.Routes() {
		routes += len(r.Dst)
	}
	reportPerNode(b, "inject", inject, len(nt.Nodes))
	reportPerNode(b, "heal", heal, len(nt.Nodes))
	reportPer(b, "inject", "route", inject, routes)
	reportPer(b, "heal", "route", heal, routes)
}

func ipRoute(b *testing.B, nsPath, verb, dst string, metric int) {
	out, err := exec.Command("ip", "-n", nsPath[len("/run/netns/"):], "route", verb, "blackhole", dst,
		"proto", fmt.Sprint(RouteProtocol), "metric", fmt.Sprint(metric)).CombinedOutput()
	if err != nil {
		b.Fatalf("ip route %s %s: %v: %s", verb, dst, err, out)
	}
}
