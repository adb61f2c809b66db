package runner_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/scenarios/library"
)

// TestIntegrationInterruptMidFault runs the real binary, sends SIGINT while
// a partition is in effect, and checks that every fault was healed, the lab
// torn down, and a partial report written with exit code 2 (unknown).
func TestIntegrationInterruptMidFault(t *testing.T) {
	requireLab(t)
	bin := filepath.Join(t.TempDir(), "faultline")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/faultline").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	_, src, err := library.Resolve("galera-minority-partition")
	if err != nil {
		t.Fatal(err)
	}
	src, lab := withUniqueLab(t, src)
	file := filepath.Join(t.TempDir(), "galera-minority-partition.yaml")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	out, state := t.TempDir(), stateDir(t)
	cmd := exec.Command(bin, "run", file, "--out", out, "--state-dir", state, "--seed", "7")
	var stderr bytes.Buffer
	cmd.Stderr, cmd.Stdout = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dir := waitFor(t, 90*time.Second, func() (string, bool) {
		hs, _ := filepath.Glob(filepath.Join(out, "*", history.FileHistory))
		if len(hs) == 1 {
			b, _ := os.ReadFile(hs[0])
			return filepath.Dir(hs[0]), bytes.Contains(b, []byte(`"phase":"effect"`))
		}
		return "", false
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		checkInterruptExit(t, err, stderr.String())
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("faultline did not stop after SIGINT:\n%s", stderr.String())
	}
	var res reports.Result
	readJSON(t, filepath.Join(dir, history.FileResult), &res)
	if !res.Partial || res.Verdict != "unknown" {
		t.Errorf("result.json partial=%v verdict=%s, want a partial unknown run", res.Partial, res.Verdict)
	}
	hist := string(mustRead(t, filepath.Join(dir, history.FileHistory)))
	if !strings.Contains(hist, `"phase":"healed"`) {
		t.Errorf("history has no healed fault event after SIGINT")
	}
	assertNothingLeft(t, state, lab)
}

func checkInterruptExit(t *testing.T, err error, out string) {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("exit after SIGINT: %v, want exit code 2 (unknown)\n%s", err, out)
	}
}

func waitFor(t *testing.T, limit time.Duration, cond func() (string, bool)) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if v, ok := cond(); ok {
			return v
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("condition not met within %v", limit)
	return ""
}
