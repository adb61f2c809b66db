package local_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// TestUpRejectsBadConfig: a bad config is refused before anything is created.
func TestUpRejectsBadConfig(t *testing.T) {
	stateDir := t.TempDir()
	good := func() local.Config {
		return local.Config{Name: localtest.UniqueName(), Topology: local.Galera, Nodes: 3, StateDir: stateDir}
	}
	for _, tc := range []struct {
		name string
		edit func(*local.Config)
		want string
	}{
		{"subnet outside the lab range", func(c *local.Config) { c.Subnet = "10.0.0.0/24" }, "198.18.0.0/15"},
		{"zero nodes", func(c *local.Config) { c.Nodes = 0 }, "0 nodes"},
		{"ten nodes", func(c *local.Config) { c.Nodes = 10 }, "10 nodes"},
		{"bad name", func(c *local.Config) { c.Name = "Bad_Name" }, "lab name"},
		{"long name", func(c *local.Config) { c.Name = "toolongname" }, "lab name"},
		{"topology", func(c *local.Config) { c.Topology = "ring" }, "topology"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.edit(&cfg)
			lab, err := local.Up(context.Background(), cfg)
			if err == nil {
				lab.Down(context.Background())
				t.Fatalf("Up accepted a bad config")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Up: %v, want an error about %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(filepath.Join(stateDir, "labs")); len(entries) > 0 {
				t.Fatalf("Up created %s", entries[0].Name())
			}
			if local.ValidateName(cfg.Name) == nil {
				assertNothingOf(t, cfg.Name)
			}
		})
	}
}

func assertNothingOf(t *testing.T, name string) {
	t.Helper()
	left, err := local.Leftovers(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Fatalf("leftovers of %s: %v", name, left)
	}
}

// TestIntegrationTwoLabsAtOnce: two labs brought up concurrently get
// different subnets and both work; a third asking for a subnet in use is
// refused and leaves nothing behind.
func TestIntegrationTwoLabsAtOnce(t *testing.T) {
	if err := local.CheckHost(); err != nil {
		t.Fatal(err)
	}
	labs := make([]*local.Lab, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range labs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			labs[i], errs[i] = local.Up(ctx, local.Config{Name: localtest.UniqueName(), Topology: local.Replication, Nodes: 2})
		}()
	}
	wg.Wait()
	for i, lab := range labs {
		if lab != nil {
			t.Cleanup(func() { lab.Down(context.Background()) })
		}
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	if labs[0].Subnet() == labs[1].Subnet() {
		t.Fatalf("both labs on %s", labs[0].Subnet())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, lab := range labs {
		for _, p := range targets.ProbeAll(ctx, lab) {
			if !p.Reachable {
				t.Fatalf("lab %s node %s unreachable: %s", lab.Name(), p.Node, p.Err)
			}
		}
	}
	name := localtest.UniqueName()
	_, err := local.Up(ctx, local.Config{Name: name, Topology: local.Galera, Nodes: 1, Subnet: labs[0].Subnet()})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("Up on a subnet in use: %v, want an error", err)
	}
	assertNothingOf(t, name)
}

// TestIntegrationDownWithoutState: a lab whose lab.json is lost is still torn
// down completely by name, and tearing down twice is harmless.
func TestIntegrationDownWithoutState(t *testing.T) {
	if err := local.CheckHost(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := localtest.UniqueName()
	lab, err := local.Up(ctx, local.Config{Name: name, Topology: local.Galera, Nodes: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Down(context.Background()) })
	if err := os.Remove(filepath.Join(local.StateDir(""), "labs", name, "lab.json")); err != nil {
		t.Fatal(err)
	}
	if err := local.Down(ctx, name, ""); err != nil {
		t.Fatal(err)
	}
	assertNothingOf(t, name)
	if err := lab.Down(ctx); err != nil {
		t.Fatalf("second down: %v", err)
	}
	if err := local.Down(ctx, name, ""); err != nil {
		t.Fatalf("third down: %v", err)
	}
}

// TestIntegrationDownAllAfterAKilledHarness: a harness SIGKILLed mid-run
// leaves a lab whose servers and disk-fault layers are gone but whose
// mounts, loop devices, namespaces, bridge and firewall rule remain, in a
// state directory nobody will name again. 'lab down --all' from any other
// state directory removes all of it.
func TestIntegrationDownAllAfterAKilledHarness(t *testing.T) {
	if err := local.CheckHost(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := localtest.UniqueName()
	state, err := os.MkdirTemp("", "faultline-killed-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	if err := os.Chmod(state, 0o755); err != nil {
		t.Fatal(err)
	}
	lab, err := local.Up(ctx, local.Config{Name: name, Topology: local.Galera, Nodes: 2, StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Down(context.Background()) })
	left, err := local.Leftovers(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, l := range left {
		if rest, ok := strings.CutPrefix(l, "process "); ok {
			pid, _ := strconv.Atoi(strings.Fields(rest)[0])
			if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
				killed++
			}
		}
	}
	if killed < 2 {
		t.Fatalf("killed %d processes of %s, want both servers: %v", killed, name, left)
	}
	waitGone(t, name)
	if left, _ := local.Leftovers(ctx, name); len(left) == 0 {
		t.Fatal("nothing left after the kill: the test proves nothing")
	}
	err = local.DownAll(ctx, t.TempDir())
	if err != nil && strings.Contains(err.Error(), name) {
		t.Fatalf("down --all: %v", err)
	}
	assertNothingOf(t, name)
}

// waitGone waits until no process of lab name is alive.
func waitGone(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		left, _ := local.Leftovers(context.Background(), name)
		alive := false
		for _, l := range left {
			alive = alive || strings.HasPrefix(l, "process ")
		}
		if !alive {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("processes of %s still alive after SIGKILL", name)
}
