package local_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
