package process

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/targets"
)

// sleepers is a machine whose nodes are sleep processes.
type sleepers struct {
	targets.Machine // unused methods panic
	procs           map[string]*exec.Cmd
	promoted        string
}

func newSleepers(t *testing.T, nodes ...string) *sleepers {
	s := &sleepers{procs: map[string]*exec.Cmd{}}
	for _, n := range nodes {
		if err := s.StartNode(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, c := range s.procs {
			c.Process.Kill()
			c.Wait()
		}
	})
	return s
}

func (s *sleepers) Name() string { return "fake" }
func (s *sleepers) PID(node string) (int, error) {
	if c := s.procs[node]; c != nil {
		return c.Process.Pid, nil
	}
	return 0, nil
}
func (s *sleepers) StartNode(ctx context.Context, node string) error {
	c := exec.Command("sleep", "60")
	if err := c.Start(); err != nil {
		return err
	}
	s.procs[node] = c
	return nil
}
func (s *sleepers) StopNode(ctx context.Context, node string, graceful bool) error {
	c := s.procs[node]
	sig := syscall.SIGKILL
	if graceful {
		sig = syscall.SIGTERM
	}
	c.Process.Signal(sig)
	c.Wait()
	delete(s.procs, node)
	return nil
}
func (s *sleepers) Promote(ctx context.Context, node string) error { s.promoted = node; return nil }

func TestPauseLifecycle(t *testing.T) {
	m := newSleepers(t, "n1")
	f, err := New(t.Context(), KindPause, "r", "/state", m, "n1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ev, _ := f.(*Pause).Verify(t.Context()); !ev.Held {
		t.Fatalf("not stopped: %s", ev.Summary)
	}
	g, err := FromParams(KindPause, f.Params(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := g.Recover(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	pid, _ := m.PID("n1")
	expectState(t, pid, "S")
}

func TestKillRecoveredFromParams(t *testing.T) {
	m := newSleepers(t, "n1")
	f, err := New(t.Context(), KindKill, "r", "/state", m, "n1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ev, _ := f.(*Kill).Verify(t.Context()); !ev.Held {
		t.Fatalf("not killed: %s", ev.Summary)
	}
	var opened string
	open := func(ctx context.Context, lab, stateDir string) (targets.Machine, error) {
		opened = lab + " " + stateDir
		return m, nil
	}
	g, _ := FromParams(KindKill, f.Params(), open)
	for range 2 {
		if err := g.Recover(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if pid, _ := m.PID("n1"); pid == 0 || opened != "fake /state" {
		t.Errorf("after recover pid %d, opened %q", pid, opened)
	}
}

func TestRestartAndPromote(t *testing.T) {
	m := newSleepers(t, "n1", "n2")
	f, _ := New(t.Context(), KindRestart, "r", "/state", m, "n1")
	if err := f.Inject(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ev, _ := f.(*Restart).Verify(t.Context()); !ev.Held {
		t.Errorf("restart: %s", ev.Summary)
	}
	p, _ := New(t.Context(), KindPromote, "r", "/state", m, "n2")
	if err := p.Inject(t.Context()); err != nil || m.promoted != "n2" {
		t.Errorf("promote: %v %q", err, m.promoted)
	}
}

func expectState(t *testing.T, pid int, want string) {
	t.Helper()
	for range 100 {
		if st, _ := State(pid); st == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	st, _ := State(pid)
	t.Fatalf("pid %d state %q, want %q", pid, st, want)
}
