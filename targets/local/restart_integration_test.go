package local_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// lockedBuffer collects a lab's progress lines from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestIntegrationGaleraRestartAfterEviction: a Galera node SIGKILLed and
// started again at once does not rejoin while the survivors still list its
// dead incarnation (that race can cost every node its Primary component);
// it waits until they evicted it, then rejoins, and all three end synced.
func TestIntegrationGaleraRestartAfterEviction(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	var log lockedBuffer
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 3, Log: &log,
		ProviderOptions: map[string]string{"evs.suspect_timeout": "PT2S", "evs.inactive_timeout": "PT4S",
			"evs.inactive_check_period": "PT0.5S", "evs.keepalive_period": "PT0.5S", "evs.install_timeout": "PT4S"}})
	if err := lab.StopNode(ctx, "n2", false); err != nil {
		t.Fatal(err)
	}
	if p := lab.Probe(ctx, "n1"); p.ClusterSize != 3 {
		t.Fatalf("n1 right after the kill lists %d members, want 3 (the dead n2 not yet evicted): the test proves nothing", p.ClusterSize)
	}
	start := time.Now()
	if err := lab.StartNode(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "n2: waiting for the cluster to evict 1 dead member(s) before rejoining") {
		t.Errorf("n2 rejoined without waiting for its old incarnation's eviction; lab log:\n%s", log.String())
	}
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range targets.ProbeAll(ctx, lab) {
		if p.Role != targets.RoleGaleraSynced || p.ClusterSize != 3 {
			t.Fatalf("after the rejoin %s is %s in a %d-node cluster, want synced in 3", p.Node, p.Role, p.ClusterSize)
		}
	}
	t.Logf("kill → rejoined in %v", time.Since(start).Round(time.Millisecond))
}
