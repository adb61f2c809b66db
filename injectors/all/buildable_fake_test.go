package all_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// fakeMachine is an in-memory lab shaped like the scenario's local target:
// its handles name files in a temporary directory and kernel objects that
// do not exist, so faults can be built but never injected. Its nodes are
// healthy: every Galera node Primary and Synced, or n1 the writable
// replication primary and the others replicas.
type fakeMachine struct {
	lt      *scenarios.LocalTarget
	nodes   []targets.Node
	handles map[string]targets.NodeHandles
}

var errBuildOnly = errors.New("fake machine: faults are built here, never injected")

func newFakeMachine(t *testing.T, lt *scenarios.LocalTarget) *fakeMachine {
	t.Helper()
	dir := t.TempDir()
	m := &fakeMachine{lt: lt, handles: map[string]targets.NodeHandles{}}
	ports := []int{3306}
	if lt.Topology == scenarios.TopologyGalera {
		ports = []int{3306, 4567, 4568, 4444}
	}
	for i, name := range scenarios.NodeNames(lt.Nodes) {
		addr := net.IPv4(198, 18, 250, byte(10+i))
		m.nodes = append(m.nodes, targets.Node{Name: name, Zone: lt.Zones[i], Host: addr.String(), Port: 3306, User: "faultline"})
		h := targets.NodeHandles{Node: name, NetNS: "/run/netns/fake-" + name, HostLink: "fake-" + name, Link: "eth0",
			Addr: addr, BlockDevice: "7:250", DataDir: filepath.Join(dir, name), LogFile: filepath.Join(dir, name+".err"), Ports: ports}
		if *lt.Faketime {
			h.FaketimeFile = writeFile(t, filepath.Join(dir, name+".faketime"), "+0\n")
		}
		if lt.DiskFaults {
			h.DiskFaultFile = writeFile(t, filepath.Join(dir, name+".diskfault.json"), "{}\n")
			h.DiskFaultDir = h.DataDir
		}
		m.handles[name] = h
	}
	return m
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func (m *fakeMachine) Name() string                      { return "fake" }
func (m *fakeMachine) Topology() string                  { return m.lt.Topology }
func (m *fakeMachine) Nodes() []targets.Node             { return m.nodes }
func (m *fakeMachine) WaitHealthy(context.Context) error { return nil }

func (m *fakeMachine) Probe(_ context.Context, node string) targets.Probe {
	switch {
	case m.lt.Topology == scenarios.TopologyGalera:
		return targets.Probe{Node: node, Reachable: true, Writable: true, ClusterStatus: "Primary", LocalState: "Synced",
			ClusterSize: len(m.nodes), Role: targets.RoleGaleraSynced}
	case node == "n1":
		return targets.Probe{Node: node, Reachable: true, Writable: true, Role: targets.RolePrimary}
	}
	return targets.Probe{Node: node, Reachable: true, ReadOnly: true, Role: targets.RoleReplica, IORunning: "Yes", SQLRunning: "Yes", Source: "n1"}
}

func (m *fakeMachine) probes() []targets.Probe {
	out := make([]targets.Probe, len(m.nodes))
	for i, n := range m.nodes {
		out[i] = m.Probe(context.Background(), n.Name)
	}
	return out
}

func (m *fakeMachine) Handles(node string) (targets.NodeHandles, error) {
	h, ok := m.handles[node]
	if !ok {
		return targets.NodeHandles{}, fmt.Errorf("fake machine: no node %q", node)
	}
	return h, nil
}

// PID is this test's own pid: a live process whose /proc entries the
// builders read (start time, cgroup), never signalled.
func (m *fakeMachine) PID(node string) (int, error) {
	if _, ok := m.handles[node]; !ok {
		return 0, fmt.Errorf("fake machine: no node %q", node)
	}
	return os.Getpid(), nil
}

func (m *fakeMachine) StartNode(context.Context, string) error      { return errBuildOnly }
func (m *fakeMachine) StopNode(context.Context, string, bool) error { return errBuildOnly }
func (m *fakeMachine) Promote(context.Context, string) error        { return errBuildOnly }

var _ targets.Machine = (*fakeMachine)(nil)
