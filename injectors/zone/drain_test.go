package zone

import (
	"context"
	"os/exec"
	"sync"
	"syscall"
	"testing"

	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/network/nstest"
	"faultline.dev/faultline/targets"
)

// nsMachine is a machine of bare namespaces whose nodes are sleep processes.
type nsMachine struct {
	targets.Machine
	nt    *nstest.Net
	mu    sync.Mutex
	procs map[string]*exec.Cmd
}

func (m *nsMachine) Name() string { return "fake" }
func (m *nsMachine) Nodes() []targets.Node {
	var out []targets.Node
	for i, n := range m.nt.Nodes {
		out = append(out, targets.Node{Name: n.Name, Zone: string(rune('a' + i%2))})
	}
	return out
}
func (m *nsMachine) Handles(node string) (targets.NodeHandles, error) {
	for _, n := range m.nt.Nodes {
		if n.Name == node {
			return targets.NodeHandles{Node: node, NetNS: n.NetNS, HostLink: n.HostLink, Link: n.Link, Addr: n.Addr, Ports: []int{3306}}, nil
		}
	}
	return targets.NodeHandles{}, nil
}
func (m *nsMachine) PID(node string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.procs[node]; c != nil {
		return c.Process.Pid, nil
	}
	return 0, nil
}
func (m *nsMachine) StartNode(ctx context.Context, node string) error {
	c := exec.Command("sleep", "60")
	if err := c.Start(); err != nil {
		return err
	}
	m.mu.Lock()
	m.procs[node] = c
	m.mu.Unlock()
	return nil
}
func (m *nsMachine) StopNode(ctx context.Context, node string, graceful bool) error {
	m.mu.Lock()
	c := m.procs[node]
	delete(m.procs, node)
	m.mu.Unlock()
	c.Process.Signal(syscall.SIGKILL)
	c.Wait()
	return nil
}

func TestIntegrationDrainNamespaces(t *testing.T) {
	m := &nsMachine{nt: nstest.New(t, 211, 3), procs: map[string]*exec.Cmd{}}
	for _, n := range m.Nodes() {
		m.StartNode(t.Context(), n.Name)
	}
	t.Cleanup(func() {
		for n := range m.procs {
			m.StopNode(context.Background(), n, false)
		}
	})
	f, err := New("izone", "/state", m, "a") // n1 and n3
	if err != nil {
		t.Fatal(err)
	}
	if len(f.p.Nodes) != 2 {
		t.Fatalf("zone a nodes %+v", f.p.Nodes)
	}
	ctx := t.Context()
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := f.Verify(ctx)
	if err != nil || !ev.Held {
		t.Fatalf("verify: %v %s", err, ev.Summary)
	}
	g, _ := FromParams(f.Params(), func(context.Context, string, string) (targets.Machine, error) { return m, nil })
	for range 2 {
		if err := g.Recover(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range m.nt.Nodes {
		if pid, _ := m.PID(n.Name); pid == 0 {
			t.Errorf("%s not restarted", n.Name)
		}
		if tabs, _ := network.ListTables(n.NetNS); len(tabs) > 0 {
			t.Errorf("%s: tables left %v", n.Name, tabs)
		}
		if _, err := network.ConnectRTT(ctx, n.Addr, 3306, 1); err != nil {
			t.Errorf("%s unreachable after recover: %v", n.Name, err)
		}
	}
}
