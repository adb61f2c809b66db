package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"faultline.dev/faultline/internal/faketime"
)

// proc starts and stops one node's mariadbd.
type proc struct {
	Node     string
	NetNS    string
	Cnf      string
	PidFile  string
	Console  string
	Faketime string // offset file, "" = real clock
}

// command builds `nsenter --net=NS --setuid=U --setgid=G [env
// LD_PRELOAD=libfaketime FAKETIME_…] mariadbd --defaults-file=F args…`;
// nsenter and env exec, so the started pid is mariadbd's.
//
// mariadbd starts as its server user, not as root dropping to it, and
// libfaketime is preloaded only after nsenter has changed user (by env,
// not in nsenter's own environment). libfaketime creates its shared clock
// state (/dev/shm/sem.faketime_sem_PID, faketime_shm_PID, mode 0600) in
// the first process that loads it, before main, and hands their names to
// every process started from it: mariadbd and its children (SST scripts,
// rsync, mariadb-backup) all run as mysql. Created by root, those objects
// are closed to them: mariadbd itself cannot open them (same pid, so it
// cannot make its own either) when nsenter loaded the library, and the
// children of a server started as root make their own under their own
// pid, where one that meets a pair left by a killed process exits with
// "sem_open failed and recreation attempts failed": the SST fails and the
// joiner aborts ("SST request callback failed").
func (p proc) command(args ...string) *exec.Cmd {
	argv := []string{"--net=" + netnsPath(p.NetNS)}
	if ids, err := serverUser(); err == nil && os.Geteuid() == 0 {
		argv = append(argv, "--setuid="+strconv.Itoa(ids.uid), "--setgid="+strconv.Itoa(ids.gid))
	}
	argv = append(argv, "--")
	if p.Faketime != "" {
		argv = append(argv, "env",
			"LD_PRELOAD="+faketime.Lib(),
			"FAKETIME_TIMESTAMP_FILE="+p.Faketime,
			"FAKETIME_NO_CACHE=1",
			"DONT_FAKE_MONOTONIC=1")
	}
	argv = append(append(argv, "mariadbd", "--defaults-file="+p.Cnf), args...)
	cmd := exec.Command("nsenter", argv...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "MALLOC_ARENA_MAX=2"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd
}

// serverUser is the uid and gid of the lab's server user (my.cnf's
// user), looked up once: every node's files are given to it and, when the
// harness runs as root, mariadbd is started as it.
var serverUser = sync.OnceValues(func() (serverIDs, error) {
	u, err := user.Lookup(serverUserName)
	if err != nil {
		return serverIDs{}, fmt.Errorf("user %s: %w", serverUserName, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return serverIDs{}, fmt.Errorf("user %s: uid %q: %w", serverUserName, u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return serverIDs{}, fmt.Errorf("user %s: gid %q: %w", serverUserName, u.Gid, err)
	}
	return serverIDs{uid, gid}, nil
})

type serverIDs struct{ uid, gid int }

// start launches mariadbd in the background; exited is closed once the
// process has been reaped.
func (p proc) start(args ...string) (pid int, exited <-chan struct{}, err error) {
	out, err := os.OpenFile(p.Console, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", p.Node, err)
	}
	defer out.Close()
	os.Remove(p.PidFile)
	cmd := p.command(args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", p.Node, err)
	}
	done := make(chan struct{})
	pid = cmd.Process.Pid
	go func() {
		cmd.Wait()
		// one that exited on its own (an abort, a crash) leaves it too
		faketime.RemoveShared(pid)
		close(done)
	}()
	return pid, done, nil
}

var recoveredRE = regexp.MustCompile(`WSREP: Recovered position: ([0-9a-f-]{36}):(-?\d+)`)

// recoverPosition runs `mariadbd --wsrep-recover` and returns the recovered
// Galera position (seqno -1 when InnoDB holds none).
func (p proc) recoverPosition(ctx context.Context, logFile string) (uuid string, seqno int64, err error) {
	os.Remove(logFile)
	cmd := p.command("--wsrep-recover", "--log-error="+logFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr.Setsid = false
	err = runCtx(ctx, cmd)
	if cmd.Process != nil {
		faketime.RemoveShared(cmd.Process.Pid) // it exits without removing it
	}
	if err != nil {
		return "", -1, fmt.Errorf("wsrep-recover %s: %w: %s", p.Node, err, out.String())
	}
	b, _ := os.ReadFile(logFile)
	m := recoveredRE.FindSubmatch(b)
	if m == nil {
		return "", -1, fmt.Errorf("wsrep-recover %s: no recovered position in %s", p.Node, logFile)
	}
	seqno, _ = strconv.ParseInt(string(m[2]), 10, 64)
	return string(m[1]), seqno, nil
}

// runCtx runs cmd, killing it if ctx ends first.
func runCtx(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		return ctx.Err()
	}
}

// pid is the node's running mariadbd according to its pid file, checked
// against /proc so a recycled pid is never signalled: 0 if not running.
func (p proc) pid() int {
	b, err := os.ReadFile(p.PidFile)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !p.owns(pid) {
		return 0
	}
	return pid
}

// owns reports whether pid is a live mariadbd started with this node's
// defaults file.
func (p proc) owns(pid int) bool {
	if pid <= 0 || !alive(pid) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(cmdline, []byte("--defaults-file="+p.Cnf+"\x00"))
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if state, ok := strings.CutPrefix(line, "State:"); ok {
			state = strings.TrimSpace(state)
			return !strings.HasPrefix(state, "Z") && !strings.HasPrefix(state, "X")
		}
	}
	return true
}

// stopPID signals pid (SIGTERM when graceful, else SIGKILL), escalates to
// SIGKILL after grace, and waits until the process is gone or a zombie.
func stopPID(ctx context.Context, pid int, graceful bool, grace time.Duration) error {
	sig := syscall.SIGKILL
	if graceful {
		sig = syscall.SIGTERM
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %d: %w", pid, err)
	}
	syscall.Kill(pid, syscall.SIGCONT) // a paused process acts on SIGTERM only once resumed
	deadline := time.Now().Add(grace)
	for alive(pid) {
		if sig != syscall.SIGKILL && time.Now().After(deadline) {
			sig = syscall.SIGKILL
			syscall.Kill(pid, sig)
		}
		select {
		case <-ctx.Done():
			syscall.Kill(pid, syscall.SIGKILL)
			return fmt.Errorf("stop %d: %w", pid, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	// a killed server cannot remove its libfaketime state (the next
	// process given its pid could not create its own)
	faketime.RemoveShared(pid)
	return nil
}
