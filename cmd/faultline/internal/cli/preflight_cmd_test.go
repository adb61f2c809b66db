package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets/kube"
)

// A scenario with a local target is refused clearly: there is no
// StatefulSet to check.
func TestPreflightRefusesALocalTarget(t *testing.T) {
	code, stdout, stderr := run(t, "preflight", "galera-minority-partition")
	want := "preflight galera-minority-partition: the target is local, not kubernetes"
	if code != ExitHarness || !strings.Contains(stderr, want) || stdout != "" {
		t.Fatalf("exit %d, want %d and %q\n%s%s", code, ExitHarness, want, stdout, stderr)
	}
}

// Without a stand-in, preflight attaches through the named context: one a
// kubeconfig lacks is a harness error naming it.
func TestPreflightAttachesThroughTheContext(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(cfg, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "preflight", "testdata/kubernetes-nocontext.yaml", "--kubeconfig", cfg, "--context", "kind-nowhere")
	if code != ExitHarness || !strings.Contains(stderr, `kubeconfig context "kind-nowhere"`) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}

// fakePreflight replaces the attach and check with fixed findings.
func fakePreflight(t *testing.T, fs ...kube.Finding) {
	t.Helper()
	saved := preflightTarget
	preflightTarget = func(context.Context, *scenarios.Scenario) ([]kube.Finding, error) { return fs, nil }
	t.Cleanup(func() { preflightTarget = saved })
}

// Findings print one a line and exit 0, or 3 with --strict; a clean
// target prints ok.
func TestPreflightPrintsFindings(t *testing.T) {
	args := []string{"preflight", "testdata/kubernetes-nocontext.yaml", "--context", "kind-faultline"}
	fakePreflight(t)
	if code, stdout, stderr := run(t, append(args, "--strict")...); code != ExitValid || stdout != "ok: no findings\n" {
		t.Fatalf("clean: exit %d\n%s%s", code, stdout, stderr)
	}
	fakePreflight(t,
		kube.Finding{Object: "statefulset/mariadb", Field: "spec.replicas", Message: "2 replicas: too few"},
		kube.Finding{Object: "storageclass/standard", Field: "volumeBindingMode", Message: "Immediate"})
	want := "statefulset/mariadb spec.replicas: 2 replicas: too few\nstorageclass/standard volumeBindingMode: Immediate\n"
	if code, stdout, stderr := run(t, args...); code != ExitValid || stdout != want {
		t.Fatalf("findings: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(t, append(args, "--strict")...); code != ExitHarness || stdout != want || !strings.Contains(stderr, "2 finding(s), refused by --strict") {
		t.Fatalf("--strict: exit %d\n%s%s", code, stdout, stderr)
	}
}

// run --strict hands the runner a Kubernetes provider that refuses
// findings, and leaves the default set as it was.
func TestStrictKube(t *testing.T) {
	ps := strictKube(providers.Default())
	if k, ok := ps[providers.KindKubernetes].(providers.Kube); !ok || !k.Strict {
		t.Fatalf("kubernetes provider %#v", ps[providers.KindKubernetes])
	}
	if _, ok := ps[providers.KindLocal]; !ok {
		t.Fatal("the local provider is gone")
	}
	if k := providers.Default()[providers.KindKubernetes].(providers.Kube); k.Strict {
		t.Fatal("the default set is strict")
	}
}
