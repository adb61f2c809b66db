package agent_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/network/nstest"
)

// TestNodeOutageAnswersFirstThenHealsItselfWhenTheLeaseEnds silences a
// "node" (a namespace standing for the node's, as pid 1's is on a real
// node): the agent answers before the cut, the node stops answering, and
// the agent heals it by itself when the lease ends — with no harness call.
func TestNodeOutageAnswersFirstThenHealsItselfWhenTheLeaseEnds(t *testing.T) {
	ctx := context.Background()
	nt := nstest.New(t, 216, 1)
	node := nt.Nodes[0]
	proc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(proc, "1", "ns"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(node.NetNS, filepath.Join(proc, "1", "ns", "net")); err != nil {
		t.Fatal(err)
	}
	s, err := agent.NewServer(agent.Options{StateDir: t.TempDir(), Proc: proc, Logf: t.Logf,
		Resolve: func(agent.Pod) (agent.Proc, error) { t.Fatal("a node outage resolved a pod"); return agent.Proc{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	req := agent.Request{RunID: "r3", ID: "out.n1", Kind: agent.KindNodeOutage, Pod: agent.Pod{Name: "node/n1"}}
	if _, err := s.Apply(ctx, req); err == nil || !strings.Contains(err.Error(), "no lease") {
		t.Fatalf("an outage without a lease: %v; want refused", err)
	}
	reachable := func() bool { // a refusal is an answer; silence is not
		c, err := (&net.Dialer{Timeout: 300 * time.Millisecond}).DialContext(ctx, "tcp", net.JoinHostPort(node.Addr.String(), "3306"))
		if c != nil {
			c.Close()
		}
		return err == nil || errors.Is(err, syscall.ECONNREFUSED)
	}
	for deadline := time.Now().Add(5 * time.Second); !reachable(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) { // a new bridge port forwards after a moment
			t.Fatal("node unreachable before the fault")
		}
	}
	req.Lease, req.Defer = 2*time.Second, 300*time.Millisecond
	t0 := time.Now()
	if _, err := s.Apply(ctx, req); err != nil {
		t.Fatal(err)
	}
	if !reachable() {
		t.Fatal("the node was cut before the agent's answer was out")
	}
	// due 0.3 s after the answer; a loaded machine (every package's tests
	// at once, under -race) fires the timer later, so wait for it
	for cutBy := t0.Add(2 * time.Second); reachable(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(cutBy) {
			t.Fatal("the node still answers 2 s after the cut was due (0.3 s)")
		}
	}
	t.Logf("silent %v after the answer", time.Since(t0).Round(time.Millisecond))
	if recs, _ := s.List(); len(recs) != 1 {
		t.Fatalf("ledger %v; want the outage", recs)
	}
	for !reachable() {
		if time.Since(t0) > 8*time.Second {
			t.Fatal("the lease ended and the node is still silent")
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(t0)
	if took < 2*time.Second {
		t.Fatalf("healed after %v; want the lease (2.3s) first", took)
	}
	t.Logf("silent from 0.3s to %v", took)
	if recs, _ := s.List(); len(recs) != 0 {
		t.Errorf("ledger after the lease %v; want empty", recs)
	}
	if tables, _ := network.ListTables(node.NetNS); len(tables) != 0 {
		t.Errorf("tables left %v", tables)
	}
}
