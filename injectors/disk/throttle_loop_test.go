package disk

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// loopMount makes an ext4 image on a loop device mounted in a temporary
// directory and returns the mount point and the device's MAJ:MIN.
func loopMount(t *testing.T) (string, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("disk throttle tests need root (run as root, e.g. through make test)")
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "img"), filepath.Join(dir, "mnt")
	run(t, "truncate", "-s", "64M", img)
	run(t, "mkfs.ext4", "-q", img)
	dev := strings.TrimSpace(run(t, "losetup", "-f", "--show", img))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	os.Mkdir(mnt, 0o755)
	run(t, "mount", dev, mnt)
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	var st unix.Stat_t
	if err := unix.Stat(dev, &st); err != nil {
		t.Fatal(err)
	}
	return mnt, fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
	return string(out)
}

func TestIntegrationThrottleLoopDevice(t *testing.T) {
	mnt, dev := loopMount(t)
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	f, err := New("itest", "n1", sleeper.Process.Pid, dev, mnt, Limits{WriteIOPS: 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if cg, _ := ProcCgroup(sleeper.Process.Pid, f.p.Version); !strings.HasSuffix(cg, CgroupName("itest", "n1")) {
		t.Errorf("process in %q", cg)
	}
	ev, err := f.Verify(ctx)
	if err != nil || !ev.Held {
		t.Fatalf("verify: %v %s", err, ev.Summary)
	}
	t.Log(ev.Summary)
	g, _ := FromParams(f.Params())
	for range 2 {
		if err := g.Recover(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(f.p.Cgroup); !os.IsNotExist(err) {
		t.Errorf("cgroup left: %v", err)
	}
	if cg, _ := ProcCgroup(sleeper.Process.Pid, f.p.Version); cg != f.p.Prev {
		t.Errorf("process in %q after recover, want %q", cg, f.p.Prev)
	}
}
