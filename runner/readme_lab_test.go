package runner_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/verify"
)

// TestIntegrationREADMEExampleRuns runs the README's own example scenario
// (its first yaml block) on a real lab: it must start (Galera accepts its
// provider options), and the 3-node cluster must ride out the isolated node
// with every check valid or measured.
func TestIntegrationREADMEExampleRuns(t *testing.T) {
	requireLab(t)
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\n")
	src, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("README.md has no yaml block")
	}
	s, err := scenarios.LoadBytes("README.md example", []byte(src))
	if err != nil {
		t.Fatalf("the README example does not validate: %v", err)
	}
	state := stateDir(t)
	res, err := runner.Run(context.Background(), runner.Options{
		Scenario: s, Source: []byte(src), Seed: 4242, OutDir: t.TempDir(), StateDir: state, Quiet: true,
		Providers: providers.Default(),
	})
	if err != nil {
		t.Fatalf("the README example does not run: %v", err)
	}
	for _, v := range res.Verdicts {
		t.Logf("  %-8s %-13s %s", v.Status, v.Check, v.Summary)
	}
	checkArtifacts(t, res)
	assertNothingLeft(t, state, scenarios.LabName(s))
	if res.Partial || res.Status != verify.Valid {
		t.Fatalf("README example: %s (partial %v), want valid", res.Status, res.Partial)
	}
}
