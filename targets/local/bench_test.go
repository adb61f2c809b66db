package local_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// up brings a lab up for a benchmark; the timer runs only around Up.
func benchUp(b *testing.B, cfg local.Config) *local.Lab {
	b.Helper()
	if err := local.CheckHost(); err != nil {
		b.Fatal(err)
	}
	cfg.Name = localtest.UniqueName()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lab, err := local.Up(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return lab
}

func benchDown(b *testing.B, lab *local.Lab) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := lab.Down(ctx); err != nil {
		b.Fatal(err)
	}
}

func benchmarkUp(b *testing.B, cfg local.Config) {
	for b.Loop() {
		lab := benchUp(b, cfg)
		b.StopTimer()
		benchDown(b, lab)
		b.StartTimer()
	}
}

// BenchmarkUpGalera3: from nothing to 3 nodes Primary, Synced and writable.
func BenchmarkUpGalera3(b *testing.B) {
	benchmarkUp(b, local.Config{Topology: local.Galera, Nodes: 3})
}

// BenchmarkUpReplication3: from nothing to a primary and 2 replicas caught up.
func BenchmarkUpReplication3(b *testing.B) {
	benchmarkUp(b, local.Config{Topology: local.Replication, Nodes: 3, SemiSync: true})
}

// BenchmarkDownGalera3: tearing down a healthy 3-node Galera lab.
func BenchmarkDownGalera3(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		lab := benchUp(b, local.Config{Topology: local.Galera, Nodes: 3})
		b.StartTimer()
		benchDown(b, lab)
	}
}

// BenchmarkRSSGalera5 reports the summed VmRSS of a healthy 5-node Galera
// lab after a little write traffic.
func BenchmarkRSSGalera5(b *testing.B) {
	for b.Loop() {
		lab := benchUp(b, local.Config{Topology: local.Galera, Nodes: 5})
		b.StopTimer()
		var total int64
		for _, n := range lab.Nodes() {
			pid, _ := lab.PID(n.Name)
			kb, err := vmRSS(pid)
			if err != nil {
				b.Fatal(err)
			}
			total += kb
		}
		b.ReportMetric(float64(total)/1024, "MB-rss")
		benchDown(b, lab)
		b.StartTimer()
	}
}

func vmRSS(pid int) (int64, error) {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(s), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// BenchmarkRejoinGalera3: a SIGKILLed node, once evicted, restarted through
// --wsrep-recover until the cluster is healthy again (IST).
func BenchmarkRejoinGalera3(b *testing.B) {
	lab := benchUp(b, local.Config{Topology: local.Galera, Nodes: 3})
	defer benchDown(b, lab)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for b.Loop() {
		b.StopTimer()
		if err := lab.StopNode(ctx, "n2", false); err != nil {
			b.Fatal(err)
		}
		for p := lab.Probe(ctx, "n1"); p.ClusterSize != 2; p = lab.Probe(ctx, "n1") {
			time.Sleep(50 * time.Millisecond)
		}
		b.StartTimer()
		if err := lab.StartNode(ctx, "n2"); err != nil {
			b.Fatal(err)
		}
		if err := lab.WaitHealthy(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
