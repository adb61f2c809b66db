package runner_test

import (
	"os"
	"strings"
	"testing"

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
	res := runSource(t, "README.md example", []byte(src), 4242)
	if res.Partial || res.Status != verify.Valid {
		t.Fatalf("README example: %s (partial %v), want valid", res.Status, res.Partial)
	}
}
