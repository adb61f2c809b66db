// Package diskfs is the disk-fault layer of a local lab node: a FUSE
// pass-through file system mounted where mariadbd keeps its data, backed by
// the node's real data directory, that delays or fails (EIO) chosen file
// operations as a control file in the node's directory says.
//
// The layer runs as its own daemon, one per node, so it outlives the process
// that started it: the lab re-executes the current binary with EnvVar set,
// and MaybeServe, called first thing in main (and in TestMain of tests that
// bring up such labs), serves the mount instead of running the program.
package diskfs

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// EnvVar carries a daemon's Config (JSON) to a re-executed binary.
const EnvVar = "FAULTLINE_DISKFS"

// FsName is the source the layer's mounts show in /proc/self/mountinfo.
const FsName = "faultline-diskfs"

// Config is one daemon's mount.
type Config struct {
	Mount   string `json:"mount"`   // where mariadbd sees its data directory
	Backing string `json:"backing"` // the real directory on the node's disk
	Control string `json:"control"` // control file (see Control)
}

var linked atomic.Bool

// MaybeServe serves the layer and exits when EnvVar is set; otherwise it
// returns at once, recording that this binary can serve the layer.
func MaybeServe() {
	linked.Store(true)
	v := os.Getenv(EnvVar)
	if v == "" {
		return
	}
	var cfg Config
	if err := json.Unmarshal([]byte(v), &cfg); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s: %v\n", FsName, EnvVar, err)
		os.Exit(2)
	}
	if err := Serve(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", FsName, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Linked reports whether MaybeServe ran in this process, so a re-executed
// copy of it would serve the layer.
func Linked() bool { return linked.Load() }

// Command is the daemon process for cfg: the current executable with
// EnvVar set. Its arguments name both directories, so the process can be
// found from the lab's paths.
func Command(cfg Config) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FsName, err)
	}
	b, _ := json.Marshal(cfg)
	cmd := exec.Command(exe, FsName, "--mount="+cfg.Mount, "--backing="+cfg.Backing)
	cmd.Env = []string{EnvVar + "=" + string(b), "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GOMAXPROCS=2"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd, nil
}

// Serve mounts the layer and serves it until the mount goes away or the
// process gets SIGTERM or SIGINT (then it unmounts).
func Serve(cfg Config) error {
	logger := log.New(os.Stderr, FsName+" ", log.LstdFlags|log.Lmicroseconds)
	w := &watcher{file: cfg.Control, log: logger.Printf}
	w.load()
	done := make(chan struct{})
	defer close(done)
	go w.poll(done)
	root, err := newRoot(cfg.Backing, w)
	if err != nil {
		return fmt.Errorf("backing %s: %w", cfg.Backing, err)
	}
	server, err := fs.Mount(cfg.Mount, root, &fs.Options{MountOptions: fuse.MountOptions{
		AllowOther:  true, // mariadbd runs as mysql
		FsName:      FsName,
		Name:        "diskfs",
		DirectMount: true,
		MaxWrite:    1 << 20,
	}})
	if err != nil {
		return fmt.Errorf("mount %s: %w", cfg.Mount, err)
	}
	logger.Printf("serving %s from %s (control %s)", cfg.Mount, cfg.Backing, cfg.Control)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sig
		logger.Printf("%v: unmounting", s)
		if err := server.Unmount(); err != nil {
			logger.Printf("unmount: %v; detaching", err)
			syscall.Unmount(cfg.Mount, syscall.MNT_DETACH)
		}
	}()
	server.Wait()
	logger.Printf("unmounted")
	return nil
}
