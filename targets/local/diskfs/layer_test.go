package diskfs_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/targets/local/diskfs"
)

func TestMain(m *testing.M) {
	diskfs.MaybeServe()
	os.Exit(m.Run())
}

// serve starts a daemon over a fresh backing directory and returns the mount.
func serve(t testing.TB) (mount, backing, control string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the disk-fault layer needs root (FUSE mount with allow_other); run as root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Fatalf("the disk-fault layer needs /dev/fuse: %v", err)
	}
	dir := t.TempDir()
	mount, backing, control = filepath.Join(dir, "mnt"), filepath.Join(dir, "real"), filepath.Join(dir, "control.json")
	for _, d := range []string{mount, backing} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd, err := diskfs.Command(diskfs.Config{Mount: mount, Backing: backing, Control: control})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		syscall.Unmount(mount, syscall.MNT_DETACH)
	})
	for deadline := time.Now().Add(10 * time.Second); !diskfs.Mounted(mount); {
		if time.Now().After(deadline) {
			t.Fatal("layer not mounted after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return mount, backing, control
}

// syncWrite times a 4 KiB write and fsync of a file in dir.
func syncWrite(dir, name string) (time.Duration, error) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	t0 := time.Now()
	if _, err := f.Write(make([]byte, 4096)); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

func TestIntegrationLayerDelaysAndFails(t *testing.T) {
	mount, backing, control := serve(t)
	base, err := syncWrite(mount, "ib_logfile0")
	if err != nil {
		t.Fatalf("pass-through write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(backing, "ib_logfile0")); err != nil {
		t.Fatalf("write did not reach the backing directory: %v", err)
	}
	if err := diskfs.WriteControl(control, diskfs.Control{Delay: "50ms", Ops: []string{"fsync"}, Path: "ib_"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * diskfs.PollInterval)
	slow, err := syncWrite(mount, "ib_logfile0")
	if err != nil {
		t.Fatal(err)
	}
	other, err := syncWrite(mount, "other")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fsync: %v before, %v delayed, %v on a file outside the path", base, slow, other)
	if slow < 50*time.Millisecond || other >= 50*time.Millisecond {
		t.Errorf("delay not applied to ib_* fsync only: %v on ib_logfile0, %v on other", slow, other)
	}
	if err := diskfs.WriteControl(control, diskfs.Control{Delay: "50ms", Ops: []string{"read"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * diskfs.PollInterval)
	if d, err := directRead(filepath.Join(mount, "ib_logfile0")); err != nil || d < 50*time.Millisecond {
		t.Errorf("direct read under a 50ms read delay: %v, %v", d, err)
	}
	if err := diskfs.WriteControl(control, diskfs.Control{ErrorRate: 100, Ops: []string{"write"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * diskfs.PollInterval)
	if _, err := syncWrite(mount, "x"); err == nil || !errorsIsEIO(err) {
		t.Errorf("write with errorRate 100: got %v, want EIO", err)
	}
	if err := diskfs.WriteControl(control, diskfs.Control{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * diskfs.PollInterval)
	if d, err := syncWrite(mount, "ib_logfile0"); err != nil || d >= 50*time.Millisecond {
		t.Errorf("after clearing the control: %v, %v; want a fast pass-through", d, err)
	}
}

func errorsIsEIO(err error) bool {
	for e := err; e != nil; {
		if e == syscall.EIO {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// directRead times an O_DIRECT 4 KiB read, which bypasses the page cache.
func directRead(path string) (time.Duration, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECT, 0)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	buf, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return 0, err
	}
	defer syscall.Munmap(buf)
	t0 := time.Now()
	_, err = syscall.Pread(fd, buf, 0)
	return time.Since(t0), err
}

// BenchmarkSyncWrite compares a 4 KiB write+fsync on the backing directory
// with the same through the pass-through layer (no fault).
func BenchmarkSyncWrite(b *testing.B) {
	mount, backing, _ := serve(b)
	for _, bc := range []struct{ name, dir string }{{"backing", backing}, {"layer", mount}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := syncWrite(bc.dir, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
