package local

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// stopGrace is how long a graceful stop waits before SIGKILL.
const stopGrace = 30 * time.Second

// launch starts a node's mariadbd with extra args and remembers the process
// so it is reaped.
func (l *Lab) launch(node string, args ...string) error {
	pid, exited, err := l.proc(node).start(args...)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.exited[node], l.launched[node] = exited, pid
	l.mu.Unlock()
	l.logf("%s started (pid %d) %s", node, pid, strings.Join(args, " "))
	return nil
}

// waitAnswering waits until node answers SQL as root, failing early if the
// process this Lab started exits.
func (l *Lab) waitAnswering(ctx context.Context, node string) error {
	return l.waitStarted(ctx, node, false)
}

// waitStarted waits until node answers SQL or, if cluster is set, until it
// listens for Galera group communication (a node restarted while the rest of
// its cluster is down waits there for its peers before it serves SQL).
func (l *Lab) waitStarted(ctx context.Context, node string, cluster bool) error {
	l.mu.Lock()
	exited := l.exited[node]
	l.mu.Unlock()
	ns, _ := l.node(node)
	for {
		if cluster {
			if c, err := (&net.Dialer{Timeout: 200 * time.Millisecond}).DialContext(ctx, "tcp", net.JoinHostPort(ns.Addr, strconv.Itoa(galeraPort))); err == nil {
				c.Close()
				return nil
			}
		}
		db, err := l.adminDB(node)
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s does not answer: %w (last error: %v)", node, ctx.Err(), err)
		case <-exited:
			return fmt.Errorf("%s exited during start-up: %s", node, l.logTail(node, 8))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logTail is the last n lines of a node's error log, for error messages.
func (l *Lab) logTail(node string, n int) string {
	b, _ := os.ReadFile(l.n.errLog(node))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// lastError is the last [ERROR] line of node's error log that the state
// transfer scripts did not write (theirs say only that the server went
// away), else its last line.
func (l *Lab) lastError(node string) string {
	b, _ := os.ReadFile(l.n.errLog(node))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "[ERROR]") && !strings.Contains(lines[i], "WSREP_SST") {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// StartNode starts a stopped node and waits until it answers SQL (a Galera
// node: until it listens for its peers; use WaitHealthy for the cluster). A
// Galera node restarts from the position `mariadbd --wsrep-recover` reports
// so it rejoins by IST; a replication node that is the recorded primary is made
// writable again, a replica resumes replicating. Starting a running node is
// a no-op.
func (l *Lab) StartNode(ctx context.Context, node string) error {
	if _, err := l.node(node); err != nil {
		return err
	}
	if l.pid(node) != 0 {
		return nil
	}
	if err := l.ensureDiskLayer(ctx, node); err != nil {
		return fmt.Errorf("start %s: %w", node, err)
	}
	galera := l.st.Topology == Galera
	if galera && l.primaryElsewhere(ctx, node) {
		// Rejoin a running cluster as a member, not by restoring the saved
		// primary component: with it a quick restart can abort with "Trying
		// to add self addr" while the others still remember the old member.
		_ = os.Remove(filepath.Join(l.n.dataDir(node), "gvwstate.dat"))
		l.waitEvicted(ctx, node)
	}
	for attempt := 1; ; attempt++ {
		err := l.startOnce(ctx, node, galera)
		if err == nil {
			break
		}
		if attempt == 3 || ctx.Err() != nil {
			return err
		}
		l.logf("%s: start attempt %d failed, retrying: %v", node, attempt, err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
	if l.st.Topology == Replication && l.Primary() == node {
		if err := l.exec(ctx, node, "SET GLOBAL read_only=0"); err != nil {
			return fmt.Errorf("start %s: make primary writable: %w", node, err)
		}
	}
	return nil
}

// startOnce launches a node and waits until it answers; a Galera node must
// also stay up for a few seconds (it can abort after opening its port).
func (l *Lab) startOnce(ctx context.Context, node string, galera bool) error {
	args, err := l.startArgs(ctx, node)
	if err != nil {
		return fmt.Errorf("start %s: %w", node, err)
	}
	if err := l.launch(node, args...); err != nil {
		return err
	}
	if err := l.waitStarted(ctx, node, galera); err != nil {
		return fmt.Errorf("start %s: %w", node, err)
	}
	if !galera {
		return nil
	}
	l.mu.Lock()
	exited := l.exited[node]
	l.mu.Unlock()
	select {
	case <-exited:
		return fmt.Errorf("start %s: exited after joining: %s", node, l.logTail(node, 6))
	case <-time.After(3 * time.Second):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startArgs are the extra mariadbd arguments for a restart.
func (l *Lab) startArgs(ctx context.Context, node string) ([]string, error) {
	if l.st.Topology != Galera {
		return nil, nil
	}
	uuid, seqno, err := l.proc(node).recoverPosition(ctx, l.n.recoverLog(node))
	if err != nil {
		return nil, err
	}
	var args []string
	if seqno >= 0 {
		args = append(args, fmt.Sprintf("--wsrep_start_position=%s:%d", uuid, seqno))
	}
	if safeToBootstrap(l.n.dataDir(node)) && !l.primaryElsewhere(ctx, node) {
		args = append(args, "--wsrep-new-cluster")
	}
	return args, nil
}

// evictWait bounds how long a rejoining Galera node waits for the cluster
// to evict dead members: Galera's default evs.inactive_timeout (15 s) plus
// its install timeout and a margin.
const evictWait = 35 * time.Second

// waitEvicted waits until no member of the Primary component is a dead
// process — above all the node's own previous incarnation, which a SIGKILL
// leaves in the view until evs.inactive_timeout. A member rejoining while
// its old self is still listed can make the whole cluster lose its Primary
// component ("no install message received", galera#249): a supervisor's
// restart that drops every node's quorum is not the fault a scenario asked
// for. It gives up after evictWait and starts the node anyway.
func (l *Lab) waitEvicted(ctx context.Context, node string) {
	live := 0
	for _, ns := range l.st.Nodes {
		if ns.Name != node && l.pid(ns.Name) != 0 {
			live++
		}
	}
	deadline := time.Now().Add(evictWait)
	logged := false
	for {
		stale := 0
		for _, ns := range l.st.Nodes {
			if ns.Name == node || l.pid(ns.Name) == 0 {
				continue
			}
			if p := l.Probe(ctx, ns.Name); p.ClusterStatus == "Primary" && p.ClusterSize > live {
				stale = p.ClusterSize - live
				break
			}
		}
		if stale == 0 {
			return
		}
		if !logged {
			l.logf("%s: waiting for the cluster to evict %d dead member(s) before rejoining", node, stale)
			logged = true
		}
		if time.Now().After(deadline) {
			l.logf("%s: dead members still listed after %v; starting anyway", node, evictWait)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// primaryElsewhere reports whether another node of the lab is in a Primary
// component: if none is, a node that left last and cleanly must bootstrap.
func (l *Lab) primaryElsewhere(ctx context.Context, node string) bool {
	for _, ns := range l.st.Nodes {
		if ns.Name != node && l.pid(ns.Name) != 0 && l.Probe(ctx, ns.Name).ClusterStatus == "Primary" {
			return true
		}
	}
	return false
}

// safeToBootstrap reads grastate.dat: a node that left last and cleanly.
func safeToBootstrap(dataDir string) bool {
	b, err := os.ReadFile(dataDir + "/grastate.dat")
	return err == nil && strings.Contains(string(b), "safe_to_bootstrap: 1")
}

// StopNode stops a node: SIGTERM then SIGKILL after a deadline when
// graceful, else SIGKILL. It returns once the process is gone (not a zombie).
// Stopping a stopped node is a no-op.
func (l *Lab) StopNode(ctx context.Context, node string, graceful bool) error {
	if _, err := l.node(node); err != nil {
		return err
	}
	pid := l.pid(node)
	if pid == 0 {
		return nil
	}
	if err := stopPID(ctx, pid, graceful, stopGrace); err != nil {
		return fmt.Errorf("stop %s: %w", node, err)
	}
	l.mu.Lock()
	exited := l.exited[node]
	l.mu.Unlock()
	if exited != nil {
		select {
		case <-exited:
		case <-ctx.Done():
			return fmt.Errorf("stop %s: %w", node, ctx.Err())
		}
	}
	l.logf("%s stopped (pid %d, graceful=%v)", node, pid, graceful)
	return nil
}

// pid is the node's running mariadbd: from its pid file, or the process
// this Lab launched if it has not written the pid file yet.
func (l *Lab) pid(node string) int {
	p := l.proc(node)
	if pid := p.pid(); pid != 0 {
		return pid
	}
	l.mu.Lock()
	pid := l.launched[node]
	l.mu.Unlock()
	if p.owns(pid) {
		return pid
	}
	return 0
}
