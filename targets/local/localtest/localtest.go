// Package localtest brings up a real local lab for tests of other packages:
// it checks the machine's prerequisites, names the lab uniquely and tears
// it down when the test ends.
package localtest

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/targets/local"
)

// upTimeout bounds the bring-up; teardownTimeout the cleanup.
const (
	upTimeout       = 3 * time.Minute
	teardownTimeout = 2 * time.Minute
)

// TestLab brings up a lab described by cfg under a unique name (cfg.Name is
// ignored) and registers its teardown with t.Cleanup. It fails the test
// with a clear message if the machine cannot run a lab (not root, no
// mariadbd, …). Defaults: Galera, 3 nodes. When the test failed, the nodes'
// error logs are kept in a directory named in the test log.
func TestLab(t testing.TB, cfg local.Config) *local.Lab {
	t.Helper()
	if err := local.CheckHost(); err != nil {
		t.Fatalf("local lab prerequisites: %v (run `make test`, which installs them, as root)", err)
	}
	cfg.Name = UniqueName()
	if cfg.Topology == "" {
		cfg.Topology = local.Galera
	}
	if cfg.Nodes == 0 {
		cfg.Nodes = 3
	}
	if cfg.Log == nil {
		cfg.Log = logWriter{t}
	}
	ctx, cancel := context.WithTimeout(context.Background(), upTimeout)
	defer cancel()
	lab, err := local.Up(ctx, cfg)
	if err != nil {
		t.Fatalf("local lab up: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
		defer cancel()
		if t.Failed() {
			dir := filepath.Join(os.TempDir(), "faultline-lab-logs-"+lab.Name())
			if err := lab.Logs(dir); err == nil {
				t.Logf("lab %s error logs kept in %s", lab.Name(), dir)
			}
		}
		if err := lab.Down(ctx); err != nil {
			t.Errorf("local lab down: %v", err)
		}
	})
	return lab
}

// UniqueName is a fresh lab name: "t" and 7 random characters [a-z0-9].
func UniqueName() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	rand.Read(b)
	out := []byte{'t'}
	for _, c := range b[1:] {
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// logWriter sends the lab's progress lines to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
