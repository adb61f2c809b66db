package all

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// crashFaults are injected by the child harness, all at once, on a 3-node lab.
var crashFaults = []struct{ kind, params, node string }{
	{"partition", `{"shape":"isolate"}`, "n1"},
	{"clockSkew", `{"offset":"1h"}`, "n2"},
	{"diskThrottle", `{"writeIops":20}`, "n3"},
	{"pause", `{}`, "n2"},
	{"latency", `{"delay":"20ms"}`, "n3"},
	{"bandwidth", `{"rate":"1MiB"}`, "n1"},
}

// TestCrashChild is the child harness of TestIntegrationCrashRecover: it
// injects faults through guards and the ledger, heals them and starts over,
// until it is killed. It does nothing unless run as that child.
func TestCrashChild(t *testing.T) {
	lab, state := os.Getenv("FAULTLINE_CRASH_LAB"), os.Getenv("FAULTLINE_CRASH_STATE")
	if lab == "" {
		return
	}
	ctx := context.Background()
	m, err := local.Open(lab, local.StateDir(""))
	if err != nil {
		t.Fatal(err)
	}
	l, err := injectors.OpenLedger(state)
	if err != nil {
		t.Fatal(err)
	}
	env := Env{StateDir: local.StateDir(""), Open: func(_ context.Context, name, dir string) (targets.Machine, error) {
		return local.Open(name, dir)
	}}
	for round := 0; ; round++ {
		run := fmt.Sprintf("crash%d", os.Getpid())
		var gs []*injectors.Guard
		for i, f := range crashFaults {
			fault, err := New(ctx, f.kind, json.RawMessage(f.params), m, []string{f.node}, run, env)
			if err != nil {
				t.Fatal(err)
			}
			g := injectors.NewGuard(l, run, fmt.Sprintf("r%d-f%d", round, i), []string{f.node}, fault)
			if err := g.Inject(ctx); err != nil {
				t.Fatalf("inject %s: %v", f.kind, err)
			}
			gs = append(gs, g)
		}
		time.Sleep(200 * time.Millisecond)
		for _, g := range gs {
			if err := g.Recover(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestIntegrationCrashRecover kills a harness injecting real faults at
// random moments; after each kill, `faultline recover` must leave no fault
// behind (the audit asserts it) and the cluster healthy.
// FAULTLINE_CRASH_ITERATIONS sets the count (default 20).
func TestIntegrationCrashRecover(t *testing.T) {
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 3, Faketime: true})
	bin := filepath.Join(t.TempDir(), "faultline")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/faultline").CombinedOutput(); err != nil {
		t.Fatalf("build faultline: %v\n%s", err, out)
	}
	n := 20
	if v, err := strconv.Atoi(os.Getenv("FAULTLINE_CRASH_ITERATIONS")); err == nil && v > 0 {
		n = v
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		state := t.TempDir()
		child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		child.Env = append(os.Environ(), "FAULTLINE_CRASH_LAB="+lab.Name(), "FAULTLINE_CRASH_STATE="+state)
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rng.Intn(2500)) * time.Millisecond)
		_ = child.Process.Signal(syscall.SIGKILL)
		_ = child.Wait()
		out, err := exec.Command(bin, "recover", "--state-dir", state).CombinedOutput()
		if err != nil {
			t.Fatalf("iteration %d: faultline recover: %v\n%s", i, err, out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		left, err := Leftovers(ctx, "", lab)
		if err != nil || len(left) > 0 {
			cancel()
			t.Fatalf("iteration %d: after recover: leftovers %v (err %v)\n%s", i, left, err, out)
		}
		if err := lab.WaitHealthy(ctx); err != nil {
			cancel()
			t.Fatalf("iteration %d: cluster not healthy after recover: %v", i, err)
		}
		cancel()
		t.Logf("iteration %d: %s", i, firstLine(out))
	}
}

func firstLine(b []byte) string {
	for i, c := range b {
		if c == '\n' {
			return string(b[:i])
		}
	}
	return string(b)
}
