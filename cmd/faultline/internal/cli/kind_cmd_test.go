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
	// the fastest of three tries: a machine running every package's tests
	// at once under -race can stall one process for a second
	var fastest time.Duration
	for i := range 3 {
		start := time.Now()
		code, _, stderr := run(t, "kind", "up", "--name", "fl-nodocker")
		if code != ExitHarness || !strings.Contains(stderr, "Docker") {
			t.Fatalf("exit %d, want %d naming Docker:\n%s", code, ExitHarness, stderr)
		}
		if d := time.Since(start); i == 0 || d < fastest {
			fastest = d
		}
		if fastest < 2*time.Second {
			break
		}
	}
	if fastest >= 2*time.Second {
		t.Fatalf("fastest of three tries took %v, want under 2s", fastest)
	}
}
