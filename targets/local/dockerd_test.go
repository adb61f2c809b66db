package local_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dockerdBin is Debian docker.io's daemon (/usr/local/bin/docker, if any,
// is only a client).
const dockerdBin = "/usr/sbin/dockerd"

// dockerd is a Docker daemon of the test's own: data root, exec root, pid
// file and socket under a temporary directory, addresses from 198.19/16,
// its mounts in a private mount namespace. It manages iptables, so it sets
// FORWARD to DROP and loads br_netfilter as Docker does everywhere.
type dockerd struct {
	dir    string
	pid    int
	exited chan struct{}
}

// startDockerd starts dockerd and waits until its socket answers; it fails
// the test with the daemon's log if it cannot.
func startDockerd(t *testing.T) *dockerd {
	t.Helper()
	if _, err := os.Stat(dockerdBin); err != nil {
		t.Fatalf("dockerd: %v (hack/install-deps.sh installs docker.io)", err)
	}
	d := &dockerd{dir: t.TempDir(), exited: make(chan struct{})}
	if err := os.WriteFile(d.path("daemon.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(d.path("dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	// unshare execs dockerd: the started pid is the daemon's
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", dockerdBin,
		"--config-file", d.path("daemon.json"), "--data-root", d.path("data"), "--exec-root", d.path("exec"),
		"--pidfile", d.path("dockerd.pid"), "--host", "unix://"+d.path("docker.sock"),
		"--bip", "198.19.250.1/24", "--default-address-pool", "base=198.19.0.0/17,size=24",
		"--iptables=true", "--storage-driver", "vfs")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dockerd: %v", err)
	}
	d.pid = cmd.Process.Pid
	go func() { cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { d.stop(t) })
	d.waitReady(t, time.Minute)
	return d
}

func (d *dockerd) path(name string) string { return filepath.Join(d.dir, name) }

func (d *dockerd) logTail() string {
	b, _ := os.ReadFile(d.path("dockerd.log"))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// waitReady polls GET /_ping on the daemon's socket.
func (d *dockerd) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	client := http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", d.path("docker.sock"))
		}}}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get("http://docker/_ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-d.exited:
			t.Fatalf("dockerd exited before answering on its socket; its log:\n%s", d.logTail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("dockerd not answering on %s after %v (%v); its log:\n%s", d.path("docker.sock"), timeout, err, d.logTail())
		}
	}
}

// stop ends dockerd by pid (SIGTERM, then SIGKILL), then whatever it
// started that is still running (its containerd).
func (d *dockerd) stop(t *testing.T) {
	select {
	case <-d.exited:
	default:
		syscall.Kill(d.pid, syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(30 * time.Second):
			t.Errorf("dockerd ignored SIGTERM for 30s; killing it")
			syscall.Kill(d.pid, syscall.SIGKILL)
			<-d.exited
		}
	}
	for _, pid := range pidsNaming(d.dir) {
		t.Errorf("process %d of dockerd still running after it stopped; killing it", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// pidsNaming lists processes whose command line contains s.
func pidsNaming(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if strings.Contains(string(b), s) {
			out = append(out, pid)
		}
	}
	return out
}
