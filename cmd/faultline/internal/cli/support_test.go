package cli

import (
	"os"
	"strings"
	"testing"
)

// A fault kind the target's provider cannot build, a Kubernetes target
// that names no kubeconfig context, and a zone outage through the agents
// with nothing to end it are refused by validate, plan and run
// alike, at their positions, and run creates no run directory.
func TestKubernetesScenarioRefusedBeforeAnything(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"testdata/kubernetes.yaml", "testdata/kubernetes.yaml:18:13: spec.faults[0].kill: kill cannot be injected on a kubernetes target; expected one of azDrain, bandwidth, clockSkew, diskThrottle, latency, partition, pause, podKill, promote, rollingRestart, zoneOutage"},
		{"testdata/kubernetes-nocontext.yaml", "testdata/kubernetes-nocontext.yaml:8:7: spec.target.kubernetes: no kubeconfig context; expected context: NAME here or --context NAME"},
		{"testdata/kubernetes-zone-nofor.yaml", "testdata/kubernetes-zone-nofor.yaml:17:34: spec.faults[0].zoneOutage.via: a zone outage through the node agents lasts the step's for"},
	} {
		for _, args := range [][]string{{"validate", tc.file}, {"plan", tc.file}} {
			code, _, stderr := run(t, args...)
			if code != ExitHarness || !strings.Contains(stderr, tc.want) {
				t.Fatalf("%v: exit %d, want %d and %q\n%s", args, code, ExitHarness, tc.want, stderr)
			}
		}
		out := t.TempDir()
		code, _, stderr := run(t, "run", tc.file, "--out", out, "--state-dir", t.TempDir())
		if code != ExitHarness || !strings.Contains(stderr, tc.want) {
			t.Fatalf("run %s: exit %d\n%s", tc.file, code, stderr)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Fatalf("run %s created %d entries in --out", tc.file, len(entries))
		}
	}
	// --context supplies what the file lacks: the scenario is then valid.
	if code, stdout, stderr := run(t, "validate", "testdata/kubernetes-nocontext.yaml", "--context", "kind-faultline"); code != 0 {
		t.Fatalf("validate --context: exit %d\n%s%s", code, stdout, stderr)
	}
}
