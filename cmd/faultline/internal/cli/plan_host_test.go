package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios"
)

const hostScenario = `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: host-marks}
spec:
  target:
    local: {topology: galera, nodes: 3}
  workload: {kind: ledger, duration: 60s}
  faults:
    - {at: 10s, for: 10s, select: {nodes: [n1]}, latency: {delay: 20ms}}
    - {at: 10s, for: 10s, select: {nodes: [n2]}, clockSkew: {offset: 1h}}
    - {at: 10s, for: 10s, select: {nodes: [n3]}, kill: {}}
`

// fakeHost replaces the host probe with fixed capabilities and counts calls.
func fakeHost(t *testing.T, c scenarios.Capabilities) *int {
	t.Helper()
	calls := 0
	saved := hostCapabilities
	hostCapabilities = func(context.Context) scenarios.Capabilities { calls++; return c }
	t.Cleanup(func() { hostCapabilities = saved })
	return &calls
}

// plan marks the steps this host degrades or cannot run, in the table and
// in -o json, from the capabilities it probes (injected here).
func TestPlanMarksStepsForThisHost(t *testing.T) {
	calls := fakeHost(t, scenarios.Capabilities{NFQueue: true, Blkio: true, FUSE: true,
		Reasons: map[string]string{"netem": "no sch_netem", "faketime": "libfaketimeMT.so.1 not found"}})
	file := filepath.Join(t.TempDir(), "host.yaml")
	if err := os.WriteFile(file, []byte(hostScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "plan", file)
	if code != ExitValid {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, row := range []string{`step-1\s+latency\s+delay=20ms\s+nodes n1\s+DEGRADED\n`,
		`step-2\s+clockSkew\s+offset=1h0m0s\s+nodes n2\s+UNAVAILABLE\n`, `step-3\s+kill\s+-\s+nodes n3\s+ok\n`} {
		if !regexp.MustCompile(row).MatchString(stdout) {
			t.Errorf("plan table has no row %s:\n%s", row, stdout)
		}
	}
	for _, want := range []string{"ON THIS HOST",
		"step-1 latency: degraded on this host: through NFQUEUE and an in-process delaying consumer instead of netem (netem: no sch_netem)",
		"step-2 clockSkew: unavailable on this host, faultline run refuses it: faketime: libfaketimeMT.so.1 not found"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan table lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = run(t, "plan", file, "-o", "json")
	var p scenarios.Plan
	if code != ExitValid || json.Unmarshal([]byte(stdout), &p) != nil || len(p.Steps) != 3 {
		t.Fatalf("plan -o json: exit %d\n%s", code, stdout)
	}
	for i, want := range []string{scenarios.HostDegraded, scenarios.HostUnavailable, scenarios.HostOK} {
		if h := p.Steps[i].Host; h == nil || h.Status != want {
			t.Errorf("json %s host %+v, want %s", p.Steps[i].ID, h, want)
		}
	}
	before := *calls
	if _, stdout, _ = run(t, "plan", file, "--host=false"); strings.Contains(stdout, "ON THIS HOST") || *calls != before {
		t.Errorf("--host=false probed the host or marked steps:\n%s", stdout)
	}
	if run(t, "plan", "galera-minority-partition"); *calls != before {
		t.Error("a plan with no host-dependent step probed the host")
	}
}
