package cli

import (
	"strings"
	"testing"
	"time"
)

// kind up without a Docker daemon fails at once, naming Docker; kind down
// of a cluster that does not exist is not an error.
func TestCLIKindUpWithoutDockerFailsAtOnce(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/no-docker.sock")
	start := time.Now()
	code, _, stderr := run(t, "kind", "up", "--name", "fl-nodocker")
	if code != ExitHarness || !strings.Contains(stderr, "Docker") {
		t.Fatalf("exit %d, want %d naming Docker:\n%s", code, ExitHarness, stderr)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v, want under 2s", d)
	}
}
