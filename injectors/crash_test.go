package injectors

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const crashChildEnv = "FAULTLINE_TEST_CRASH_CHILD"

// TestHelperChild is the process the crash test kills: it injects a
// touchfile fault through a guard, says so, and waits to be killed.
func TestHelperChild(t *testing.T) {
	if os.Getenv(crashChildEnv) != "1" {
		return // only meaningful as the crash test's child process
	}
	l, err := OpenLedger(os.Getenv("CRASH_STATE_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	delay, _ := strconv.Atoi(os.Getenv("CRASH_DELAY_MS"))
	f := &touchFile{P: touchParams{Path: os.Getenv("CRASH_MARKER"), DelayMs: delay}}
	g := NewGuard(l, "crash-run", "step-1", []string{"n1"}, f)
	fmt.Println("ready")
	if err := g.Inject(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("injected")
	time.Sleep(30 * time.Second) // the parent kills us long before this
}

// TestCrashRecover SIGKILLs a process that is injecting a real fault, at
// random moments and right after the injection, and checks that a marker
// file on disk always has its ledger record, and that RecoverAll removes
// both.
func TestCrashRecover(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 8 {
		afterInject := i%2 == 0
		t.Run(fmt.Sprintf("kill-%d-after-inject-%v", i, afterInject), func(t *testing.T) {
			dir := t.TempDir()
			marker := filepath.Join(dir, "marker")
			delay := rng.IntN(20)
			child, out := startChild(t, dir, marker, delay)
			waitFor(t, out, "ready")
			if afterInject {
				waitFor(t, out, "injected")
			} else {
				time.Sleep(time.Duration(rng.IntN(delay+5)) * time.Millisecond)
			}
			child.Process.Kill() // SIGKILL
			child.Wait()
			checkAfterCrash(t, dir, marker, afterInject)
		})
	}
}

func startChild(t *testing.T, dir, marker string, delayMs int) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", "CRASH_STATE_DIR="+dir,
		"CRASH_MARKER="+marker, "CRASH_DELAY_MS="+strconv.Itoa(delayMs))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, bufio.NewScanner(stdout)
}

// waitFor reads the child's output up to a line equal to want.
func waitFor(t *testing.T, out *bufio.Scanner, want string) {
	t.Helper()
	done := make(chan bool, 1)
	go func() {
		for out.Scan() {
			if out.Text() == want {
				done <- true
				return
			}
		}
		done <- false
	}()
	select {
	case ok := <-done:
		if !ok {
			t.Fatalf("child exited before printing %q", want)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("child did not print %q within 20s", want)
	}
}

func checkAfterCrash(t *testing.T, dir, marker string, afterInject bool) {
	t.Helper()
	l, err := OpenLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := l.List("")
	if err != nil {
		t.Fatal(err)
	}
	_, statErr := os.Stat(marker)
	injected := statErr == nil
	if injected && len(recs) != 1 {
		t.Fatalf("marker exists but the ledger holds %d records", len(recs))
	}
	t.Logf("after the kill: %d ledger records, marker present: %v", len(recs), injected)
	if afterInject && !injected {
		t.Fatal("child reported injecting, but no marker")
	}
	if len(recs) == 1 {
		var p touchParams
		if err := json.Unmarshal(recs[0].Params, &p); err != nil || p.Path != marker {
			t.Fatalf("record params %s do not name the marker (%v)", recs[0].Params, err)
		}
	}
	healed, err := RecoverAll(context.Background(), l, testRegistry(), "")
	if err != nil {
		t.Fatalf("recover all: %v", err)
	}
	if len(healed) != len(recs) {
		t.Fatalf("healed %d records, want %d", len(healed), len(recs))
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("marker survived RecoverAll")
	}
	if left, err := l.List(""); err != nil || len(left) != 0 {
		t.Fatalf("ledger after RecoverAll: %v (%v)", left, err)
	}
	if runs, err := l.Runs(); err != nil || len(runs) != 0 {
		t.Fatalf("runs left after RecoverAll: %v (%v)", runs, err)
	}
}
