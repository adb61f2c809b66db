package cli

import (
	"os"
	"strings"
	"testing"
)

// A target kind this build has no provider for is refused by validate, plan
// and run alike, at its position, and run creates no run directory.
func TestTargetWithoutProviderIsRefusedBeforeAnything(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "testdata/kubernetes.yaml"},
		{"plan", "testdata/kubernetes.yaml"},
	} {
		code, _, stderr := run(t, args...)
		if code != ExitHarness || !strings.Contains(stderr, "testdata/kubernetes.yaml:8:7: spec.target.kubernetes: this build of faultline has no provider for kubernetes targets") {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	out := t.TempDir()
	code, _, stderr := run(t, "run", "testdata/kubernetes.yaml", "--out", out, "--state-dir", t.TempDir())
	if code != ExitHarness || !strings.Contains(stderr, "no provider for kubernetes targets") {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("run created %d entries in --out", len(entries))
	}
}
