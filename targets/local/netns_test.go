package local

import (
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// TestIntegrationNamespacesSurviveTheFirstIPNetnsAdd: on a host just
// booted, /run/netns is a plain directory; the first `ip netns add` (by
// Docker, a CNI plugin, a capability probe) bind-mounts it over itself. A
// lab namespace bound before that was hidden, nsenter into it failed
// ("Invalid argument") and it could not be removed. The test runs in a
// private mount namespace with a fresh /run, so the host's /run/netns is
// neither touched nor what is tested.
func TestIntegrationNamespacesSurviveTheFirstIPNetnsAdd(t *testing.T) {
	if os.Getenv("FAULTLINE_NETNS_CHILD") == "" {
		if os.Geteuid() != 0 {
			t.Fatal("needs root: it creates network and mount namespaces")
		}
		cmd := exec.Command("unshare", "--mount", "--propagation", "private",
			os.Args[0], "-test.run=^TestIntegrationNamespacesSurviveTheFirstIPNetnsAdd$", "-test.v")
		cmd.Env = append(os.Environ(), "FAULTLINE_NETNS_CHILD=1")
		out, err := cmd.CombinedOutput()
		t.Logf("in a private mount namespace:\n%s", out)
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		return
	}
	if err := unix.Mount("tmpfs", "/run", "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("fresh /run: %v", err)
	}
	if _, err := os.Stat(netnsDir); err == nil {
		t.Fatalf("%s exists on a fresh /run", netnsDir)
	}
	const ours, theirs = "fl-nstest-ours", "fl-nstest-theirs"
	h, err := newNamedNetns(ours)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	defer deleteNetns(ours)
	if out, err := exec.Command("ip", "netns", "add", theirs).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	defer exec.Command("ip", "netns", "del", theirs).Run()
	if out, err := exec.Command("nsenter", "--net="+netnsPath(ours), "--", "true").CombinedOutput(); err != nil {
		t.Fatalf("enter %s after ip netns add: %v: %s", ours, err, out)
	}
	if err := deleteNetns(ours); err != nil {
		t.Fatalf("delete %s: %v", ours, err)
	}
	if _, err := os.Stat(netnsPath(ours)); err == nil {
		t.Errorf("%s still there after delete", netnsPath(ours))
	}
}
