package network

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// A scratch namespace left by a prober killed mid-probe (dead pid) is
// removed by the next probe; nothing of the probe itself is left.
func TestIntegrationCapabilitiesRemovesStaleScratch(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root to create network namespaces")
	}
	stale := scratchPrefix + "999999999-1"
	if out, err := exec.Command("ip", "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", stale).Run() })
	Capabilities(context.Background())
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if len(e.Name()) > len(scratchPrefix) && e.Name()[:len(scratchPrefix)] == scratchPrefix {
			t.Errorf("scratch namespace %s left behind", e.Name())
		}
	}
}
