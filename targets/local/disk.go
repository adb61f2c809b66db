package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// nodeDisk is one node's data device: a sparse image on a loop device,
// formatted ext4 and mounted at the node's data mount point.
type nodeDisk struct {
	Image string
	Mount string
	Size  int64
}

// run runs a command and returns its error with the command and its output.
func run(ctx context.Context, name string, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// create makes the image, attaches a loop device, formats and mounts it. It
// returns the loop device path and its MAJ:MIN.
func (d nodeDisk) create(ctx context.Context, uid, gid int) (dev, majmin string, err error) {
	f, err := os.OpenFile(d.Image, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return "", "", fmt.Errorf("create image %s: %w", d.Image, err)
	}
	err = f.Truncate(d.Size)
	f.Close()
	if err != nil {
		return "", "", fmt.Errorf("size image %s: %w", d.Image, err)
	}
	// format the file before attaching it: no loop device exists if this fails
	if _, err := run(ctx, "mkfs.ext4", "-q", "-F", "-m", "0", "-E", "nodiscard,lazy_itable_init=1,lazy_journal_init=1", d.Image); err != nil {
		return "", "", err
	}
	out, err := run(ctx, "losetup", "--find", "--show", d.Image)
	if err != nil {
		return "", "", err
	}
	dev = strings.TrimSpace(out)
	majmin, err = deviceNumber(dev)
	if err != nil {
		return dev, "", err
	}
	if err := os.MkdirAll(d.Mount, 0o755); err != nil {
		return dev, majmin, fmt.Errorf("mount point %s: %w", d.Mount, err)
	}
	if err := unix.Mount(dev, d.Mount, "ext4", unix.MS_NOATIME, ""); err != nil {
		return dev, majmin, fmt.Errorf("mount %s on %s: %w", dev, d.Mount, err)
	}
	if err := os.Chown(d.Mount, uid, gid); err != nil {
		return dev, majmin, fmt.Errorf("chown %s: %w", d.Mount, err)
	}
	return dev, majmin, nil
}

// deviceNumber is the MAJ:MIN of a block device node.
func deviceNumber(dev string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(dev, &st); err != nil {
		return "", fmt.Errorf("stat %s: %w", dev, err)
	}
	return fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev)), nil
}

// unmount detaches whatever is mounted at dir; not mounted is not an error.
func unmount(dir string) error {
	err := unix.Unmount(dir, 0)
	if err == nil || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if errors.Is(err, unix.EBUSY) {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err == nil {
			return nil
		}
	}
	return fmt.Errorf("unmount %s: %w", dir, err)
}

// detachLoop detaches a loop device and waits until the kernel has let go
// of its backing file (a device still held just after an unmount is only
// marked for auto-clear); one already detached is not an error.
func detachLoop(ctx context.Context, dev string) error {
	backing := filepath.Join("/sys/block", filepath.Base(dev), "loop", "backing_file")
	for {
		if err := clearLoop(dev); err != nil {
			return err
		}
		if _, err := os.Stat(backing); errors.Is(err, os.ErrNotExist) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("detach %s: still attached: %w", dev, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func clearLoop(dev string) error {
	f, err := os.OpenFile(dev, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open %s: %w", dev, err)
	}
	defer f.Close()
	if err := unix.IoctlSetInt(int(f.Fd()), unix.LOOP_CLR_FD, 0); err != nil && !errors.Is(err, unix.ENXIO) {
		return fmt.Errorf("detach %s: %w", dev, err)
	}
	return nil
}

// loopDevices lists loop devices whose backing file satisfies match.
func loopDevices(match func(backing string) bool) []string {
	files, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if match(strings.TrimSpace(strings.TrimSuffix(string(b), " (deleted)"))) {
			out = append(out, "/dev/"+filepath.Base(filepath.Dir(filepath.Dir(f))))
		}
	}
	return out
}

// mountPoints lists mount points satisfying match, deepest first.
func mountPoints(match func(dir string) bool) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && match(unescapeMount(fields[4])) {
			out = append(out, unescapeMount(fields[4]))
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}
