// Package testdb starts a standalone mariadbd for tests: a fresh data
// directory, a unix socket and a TCP port on 127.0.0.1, run as user mysql,
// stopped (and its directory removed) when the test ends.
package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // driver for the readiness check

	"faultline.dev/faultline/targets"
)

// Server is a running mariadbd.
type Server struct {
	Node targets.Node
	Dir  string
	cmd  *exec.Cmd
	exit chan error
}

// Start starts a server for t, or fails t with what is missing. Options
// are extra mariadbd flags (e.g. "--sync-binlog=0").
func Start(t testing.TB, options ...string) *Server {
	t.Helper()
	for _, bin := range []string{"mariadbd", "mariadb-install-db"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("testdb: %s not found (install mariadb-server: make deps): %v", bin, err)
		}
	}
	if os.Geteuid() != 0 {
		t.Fatalf("testdb: must run as root to start mariadbd as user mysql")
	}
	s, err := start(options)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(s.stop)
	return s
}

func start(options []string) (*Server, error) {
	dir, err := os.MkdirTemp("", "faultline-testdb-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, exit: make(chan error, 1)}
	if err := chownMySQL(dir); err != nil {
		return nil, err
	}
	// A private tmpdir: bootstraps running at the same time collide on
	// temporary table names in a shared /tmp.
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o750); err != nil {
		return nil, err
	}
	if err := chownMySQL(tmp); err != nil {
		return nil, err
	}
	if out, err := exec.Command("mariadb-install-db", "--no-defaults", "--user=mysql",
		"--datadir="+filepath.Join(dir, "data"), "--tmpdir="+tmp, "--auth-root-authentication-method=normal",
		"--skip-test-db").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mariadb-install-db: %w\n%s", err, tail(out))
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.Node = targets.Node{Name: "db", Zone: "a", Host: "127.0.0.1", Port: port, User: "root"}
	log, err := os.Create(filepath.Join(dir, "mariadbd.log"))
	if err != nil {
		return nil, err
	}
	args := append([]string{"--no-defaults", "--user=mysql",
		"--datadir=" + filepath.Join(dir, "data"), "--socket=" + filepath.Join(dir, "sock"),
		"--pid-file=" + filepath.Join(dir, "pid"), "--tmpdir=" + tmp, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
		"--performance-schema=OFF", "--max-connections=200", "--log-bin=binlog", "--server-id=1"}, options...)
	s.cmd = exec.Command("mariadbd", args...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start mariadbd: %w", err)
	}
	go func() { s.exit <- s.cmd.Wait(); log.Close() }()
	if err := s.waitReady(30 * time.Second); err != nil {
		s.stop()
		b, _ := os.ReadFile(filepath.Join(dir, "mariadbd.log"))
		return nil, fmt.Errorf("%w\n%s", err, tail(b))
	}
	return s, nil
}

func (s *Server) waitReady(d time.Duration) error {
	db, err := sql.Open("mysql", s.Node.DSN("", time.Second))
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case e := <-s.exit:
			return fmt.Errorf("mariadbd exited: %v", e)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd on port %d not ready after %s: %w", s.Node.Port, d, err)
		}
	}
}

// DB opens a handle to the server (database db, "" for none).
func (s *Server) DB(t testing.TB, db string) *sql.DB {
	t.Helper()
	h, err := sql.Open("mysql", s.Node.DSN(db, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// Kill stops the server with SIGKILL and waits for it.
func (s *Server) Kill() {
	if s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exit
	s.exit <- nil
}

func (s *Server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exit:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Signal(syscall.SIGKILL)
			<-s.exit
		}
		s.exit <- nil
	}
	os.RemoveAll(s.Dir)
}

func chownMySQL(dir string) error {
	u, err := user.Lookup("mysql")
	if err != nil {
		return fmt.Errorf("user mysql: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte) string {
	s := string(b)
	if i := len(s) - 2000; i > 0 {
		s = s[i:]
	}
	return strings.TrimSpace(s)
}
