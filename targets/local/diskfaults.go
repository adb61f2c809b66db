package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"faultline.dev/faultline/targets/local/diskfs"
)

// diskLayerTimeout bounds how long a node's disk-fault layer may take to mount.
const diskLayerTimeout = 15 * time.Second

// disk-fault layer paths: mariadbd's data directory is the FUSE mount; the
// real directory on the node's ext4 disk (dataDir) backs it.
func (n names) fuseDir(node string) string { return filepath.Join(n.nodeDir(node), "db") }
func (n names) diskControl(node string) string {
	return filepath.Join(n.nodeDir(node), "diskfault.json")
}
func (n names) diskfsLog(node string) string { return filepath.Join(n.nodeDir(node), "diskfs.log") }

// serverDataDir is the directory mariadbd uses as its datadir.
func (n names) serverDataDir(node string, diskFaults bool) string {
	if diskFaults {
		return n.fuseDir(node)
	}
	return n.dataDir(node)
}

// checkDiskFaults refuses a disk-fault lab in a binary that cannot serve the
// layer: its daemons are re-executions of this binary.
func checkDiskFaults(cfg Config) error {
	if cfg.DiskFaults && !diskfs.Linked() {
		return fmt.Errorf("lab %s: disk faults need this binary to serve the FUSE layer: call diskfs.MaybeServe() first thing in main (or TestMain)", cfg.Name)
	}
	if _, err := os.Stat("/dev/fuse"); cfg.DiskFaults && err != nil {
		return fmt.Errorf("lab %s: disk faults need /dev/fuse: %w", cfg.Name, err)
	}
	return nil
}

// startDiskLayer mounts a node's disk-fault layer (with a pass-through
// control file unless one exists) and returns once it is mounted. The daemon runs in its own
// session so it outlives the harness; teardown finds it by its arguments.
func (l *Lab) startDiskLayer(ctx context.Context, node string, uid, gid int) error {
	mount, control := l.n.fuseDir(node), l.n.diskControl(node)
	if err := os.MkdirAll(mount, 0o750); err != nil {
		return fmt.Errorf("disk layer of %s: %w", node, err)
	}
	if err := os.Chown(mount, uid, gid); err != nil {
		return fmt.Errorf("disk layer of %s: %w", node, err)
	}
	if _, err := os.Stat(control); errors.Is(err, os.ErrNotExist) {
		if err := diskfs.WriteControl(control, diskfs.Control{}); err != nil {
			return fmt.Errorf("disk layer of %s: %w", node, err)
		}
	}
	cmd, err := diskfs.Command(diskfs.Config{Mount: mount, Backing: l.n.dataDir(node), Control: control})
	if err != nil {
		return fmt.Errorf("disk layer of %s: %w", node, err)
	}
	out, err := os.OpenFile(l.n.diskfsLog(node), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("disk layer of %s: %w", node, err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("disk layer of %s: %w", node, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	l.logf("%s disk-fault layer started (pid %d)", node, cmd.Process.Pid)
	ctx, cancel := context.WithTimeout(ctx, diskLayerTimeout)
	defer cancel()
	for !diskfs.Mounted(mount) {
		select {
		case <-exited:
			b, _ := os.ReadFile(l.n.diskfsLog(node))
			return fmt.Errorf("disk layer of %s exited before mounting: %s", node, b)
		case <-ctx.Done():
			return fmt.Errorf("disk layer of %s: not mounted: %w", node, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// isDiskLayer reports whether pid is a disk-fault layer daemon: its first
// argument is the layer's name (see diskfs.Command).
func isDiskLayer(pid int) bool {
	args := strings.Fields(cmdline(pid))
	return len(args) > 1 && args[1] == diskfs.FsName
}

// diskLayers mounts every node's disk-fault layer.
func (b *builder) diskLayers(ctx context.Context) error {
	for i := range b.cfg.Nodes {
		if err := b.lab.startDiskLayer(ctx, nodeName(i), b.uid, b.gid); err != nil {
			return err
		}
	}
	return nil
}

// ensureDiskLayer makes sure a node's layer serves before mariadbd starts on
// it: a layer whose daemon died (its mount answers ENOTCONN) is detached and
// started again; the node's control file stays as it is (a fault in force
// stays in force).
func (l *Lab) ensureDiskLayer(ctx context.Context, node string) error {
	if !l.st.DiskFaults {
		return nil
	}
	mount := l.n.fuseDir(node)
	if diskfs.Mounted(mount) {
		if _, err := os.Stat(mount); err == nil {
			return nil
		}
		l.logf("%s disk-fault layer is not answering: remounting", node)
		if err := unmount(mount); err != nil {
			return fmt.Errorf("disk layer of %s: %w", node, err)
		}
	}
	fi, err := os.Stat(l.n.dataDir(node))
	if err != nil {
		return fmt.Errorf("disk layer of %s: %w", node, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return l.startDiskLayer(ctx, node, int(st.Uid), int(st.Gid))
}
