package agent_test

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/network/nstest"
	"faultline.dev/faultline/injectors/process"
	"faultline.dev/faultline/internal/faketime"
)

// pods are two bare namespaces, each with a process standing for a pod's
// mariadbd, and a resolver that finds them as the agent finds containers.
type pods struct {
	net   *nstest.Net
	procs map[string]agent.Proc
	clock string // pod a's faketime file
}

func newPods(t *testing.T, octet int) *pods {
	t.Helper()
	nt := nstest.New(t, octet, 2)
	ps := &pods{net: nt, procs: map[string]agent.Proc{}, clock: filepath.Join(t.TempDir(), "faketime")}
	for i, name := range []string{"a", "b"} {
		cmd := exec.Command("ip", "netns", "exec", filepath.Base(nt.Nodes[i].NetNS), "sleep", "600")
		cmd.Env = append(os.Environ(), agent.PreloadEnv+"="+faketime.Lib(), agent.FaketimeFileEnv+"="+ps.clock)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			// killed, it leaves libfaketime's shared state behind
			if _, err := faketime.RemoveShared(cmd.Process.Pid); err != nil {
				t.Error(err)
			}
		})
		dir := "/proc/" + strconv.Itoa(cmd.Process.Pid)
		ps.procs[name] = agent.Proc{PID: cmd.Process.Pid, NetNS: nt.Nodes[i].NetNS, Root: dir + "/root"}
	}
	waitNetNS(t, ps.procs)
	return ps
}

// waitNetNS waits until each process runs inside its namespace (ip netns
// exec enters it, then execs sleep).
func waitNetNS(t *testing.T, procs map[string]agent.Proc) {
	for _, p := range procs {
		for deadline := time.Now().Add(5 * time.Second); ; {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/comm")
			if strings.TrimSpace(string(b)) == "sleep" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("process %d never became sleep", p.PID)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func (ps *pods) resolve(p agent.Pod) (agent.Proc, error) { return ps.procs[p.Name], nil }

func (ps *pods) server(t *testing.T, state string) *agent.Server {
	t.Helper()
	s, err := agent.NewServer(agent.Options{StateDir: state, Resolve: ps.resolve, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (ps *pods) reach(t *testing.T, s *agent.Server, from string) bool {
	t.Helper()
	peer := ps.net.Nodes[1]
	r, err := s.Probe(context.Background(), agent.ProbeRequest{Pod: agent.Pod{Name: from},
		Peers: []agent.Peer{{Name: "b", Addr: peer.Addr, Ports: []int{3306}}}, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return r.Reach["b"]
}

// TestAgentRestartHealsItsLedger applies a partition, a pause and a clock
// skew, then lets the agent "die" (its Server is dropped without healing):
// a new agent on the same ledger heals all three before serving.
func TestAgentRestartHealsItsLedger(t *testing.T) {
	ctx := context.Background()
	ps := newPods(t, 212)
	state := t.TempDir()
	s := ps.server(t, state)
	if !ps.reach(t, s, "a") {
		t.Fatal("a cannot reach b before any fault")
	}
	reqs := []agent.Request{
		{RunID: "r1", ID: "step-1.a", Kind: agent.KindPartition, Pod: agent.Pod{Name: "a"}, DropTo: []net.IP{ps.net.Nodes[1].Addr}},
		{RunID: "r1", ID: "step-2.b", Kind: agent.KindPause, Pod: agent.Pod{Name: "b"}},
		{RunID: "r1", ID: "step-3.a", Kind: agent.KindClockSkew, Pod: agent.Pod{Name: "a"}, Offset: time.Hour},
	}
	for _, r := range reqs {
		out, err := s.Apply(ctx, r)
		if err != nil {
			t.Fatalf("apply %s: %v", r.Kind, err)
		}
		if r.Kind == agent.KindPause && (out.Evidence == nil || !out.Evidence.Held) {
			t.Fatalf("pause evidence %+v; want held", out.Evidence)
		}
	}
	if again, err := s.Apply(ctx, reqs[0]); err != nil || again.Record.ID != "step-1.a" {
		t.Fatalf("applying an id twice: %+v, %v", again, err)
	}
	if ps.reach(t, s, "a") {
		t.Fatal("a reaches b through the partition")
	}
	if st, _ := process.State(ps.procs["b"].PID); st != "T" {
		t.Fatalf("b's process state %q; want T (stopped)", st)
	}
	if b, _ := os.ReadFile(ps.clock); strings.TrimSpace(string(b)) != "+3600" {
		t.Fatalf("faketime file %q; want +3600", b)
	}
	recs, _ := s.List()
	if len(recs) != 3 {
		t.Fatalf("ledger holds %d records; want 3", len(recs))
	}

	s2 := ps.server(t, state) // the agent restarted
	healed, err := s2.HealAll(ctx)
	if err != nil || len(healed) != 3 {
		t.Fatalf("healed %d, %v; want the 3 records", len(healed), err)
	}
	if !ps.reach(t, s2, "a") {
		t.Error("a still cannot reach b after the new agent healed")
	}
	if routes, _ := network.ListRoutes(ps.procs["a"].NetNS); len(routes) != 0 {
		t.Errorf("routes left in a: %v", routes)
	}
	if st, _ := process.State(ps.procs["b"].PID); st != "S" {
		t.Errorf("b's process state %q; want S (running again)", st)
	}
	if b, _ := os.ReadFile(ps.clock); strings.TrimSpace(string(b)) != "+0" {
		t.Errorf("faketime file %q; want +0", b)
	}
	if recs, _ := s2.List(); len(recs) != 0 {
		t.Errorf("ledger still holds %v", recs)
	}
}

// TestAgentOverHTTP drives an agent through its HTTP API as the harness
// does (here over plain TCP on loopback instead of a port-forward).
func TestAgentOverHTTP(t *testing.T) {
	ctx := context.Background()
	ps := newPods(t, 213)
	srv := httptest.NewServer(ps.server(t, t.TempDir()).Handler())
	defer srv.Close()
	c := agent.NewClient("test", func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
	})
	defer c.Close()
	req := agent.Request{RunID: "r2", ID: "step-1.a", Kind: agent.KindPartition, Pod: agent.Pod{Name: "a"}, DropTo: []net.IP{ps.net.Nodes[1].Addr}}
	if _, err := c.Apply(ctx, req); err != nil {
		t.Fatal(err)
	}
	probe := agent.ProbeRequest{Pod: agent.Pod{Name: "a"}, Peers: []agent.Peer{{Name: "b", Addr: ps.net.Nodes[1].Addr, Ports: []int{3306}}}, Timeout: 300 * time.Millisecond}
	if r, err := c.Probe(ctx, probe); err != nil || r.Reach["b"] {
		t.Fatalf("probe through the partition: %+v, %v; want b unreachable", r, err)
	}
	if recs, err := c.List(ctx); err != nil || len(recs) != 1 || recs[0].Kind != agent.KindPartition {
		t.Fatalf("list: %+v, %v", recs, err)
	}
	if err := c.Heal(ctx, "r2", "step-1.a"); err != nil {
		t.Fatal(err)
	}
	if err := c.Heal(ctx, "r2", "step-1.a"); err != nil {
		t.Fatalf("healing twice: %v", err)
	}
	if r, err := c.Probe(ctx, probe); err != nil || !r.Reach["b"] {
		t.Fatalf("probe after heal: %+v, %v; want b reachable", r, err)
	}
	_, err := c.Apply(ctx, agent.Request{RunID: "r2", ID: "x", Kind: "diskFault", Pod: agent.Pod{Name: "a"}})
	if err == nil || !strings.Contains(err.Error(), "cannot apply") {
		t.Errorf("an unknown kind: %v; want a clear refusal", err)
	}
}

// TestAgentLatencyAndBandwidthInPodNamespace applies a latency to one pod
// and a bandwidth limit to the other, each proven by the agent (connect
// time before and during; token buckets read back on the pod's interface
// and on its veth's node end, found by the peer index), then lets a new
// agent heal both from the ledger.
func TestAgentLatencyAndBandwidthInPodNamespace(t *testing.T) {
	ctx := context.Background()
	ps := newPods(t, 214)
	a, b := ps.net.Nodes[0], ps.net.Nodes[1]
	state := t.TempDir()
	// The node's namespace is that of the proc dir's pid 1: here, this
	// test's own (where the veths' other ends are).
	proc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(proc, "1", "ns"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fmt.Sprintf("/proc/%d/ns/net", os.Getpid()), filepath.Join(proc, "1", "ns", "net")); err != nil {
		t.Fatal(err)
	}
	server := func() *agent.Server {
		s, err := agent.NewServer(agent.Options{StateDir: state, Resolve: ps.resolve, Proc: proc, Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := server()
	lat, err := s.Apply(ctx, agent.Request{RunID: "r2", ID: "lat.a", Kind: agent.KindLatency, Pod: agent.Pod{Name: "a"},
		Delay: 50 * time.Millisecond, Addr: a.Addr, Port: 3306})
	if err != nil {
		t.Fatal(err)
	}
	if lat.Evidence == nil || !lat.Evidence.Held {
		t.Fatalf("latency evidence %+v; want held", lat.Evidence)
	}
	t.Log(lat.Evidence.Summary)
	bw, err := s.Apply(ctx, agent.Request{RunID: "r2", ID: "bw.b", Kind: agent.KindBandwidth, Pod: agent.Pod{Name: "b"},
		Rate: 1 << 20, Addr: b.Addr})
	if err != nil {
		t.Fatal(err)
	}
	if bw.Evidence == nil || !bw.Evidence.Held || !strings.Contains(bw.Evidence.Summary, "2 of 2") {
		t.Fatalf("bandwidth evidence %+v; want both token buckets", bw.Evidence)
	}
	for _, q := range []struct{ ns, link string }{{b.NetNS, b.Link}, {"", b.HostLink}} {
		if out := qdiscs(t, q.ns, q.link); !strings.Contains(out, "tbf") {
			t.Fatalf("qdisc of %s: %s; want a tbf", q.link, out)
		}
	}
	if tables, _ := network.ListTables(a.NetNS); len(tables) != 1 {
		t.Fatalf("a's nftables tables %v; want the latency's", tables)
	}

	s2 := server() // the agent restarted
	if healed, err := s2.HealAll(ctx); err != nil || len(healed) != 2 {
		t.Fatalf("healed %d, %v; want 2", len(healed), err)
	}
	if tables, _ := network.ListTables(a.NetNS); len(tables) != 0 {
		t.Errorf("tables left in a: %v", tables)
	}
	for _, q := range []struct{ ns, link string }{{b.NetNS, b.Link}, {"", b.HostLink}} {
		if out := qdiscs(t, q.ns, q.link); strings.Contains(out, "tbf") {
			t.Errorf("qdisc of %s after heal: %s", q.link, out)
		}
	}
	if rtt, err := network.ConnectRTT(ctx, a.Addr, 3306, 5); err != nil || rtt > 20*time.Millisecond {
		t.Errorf("connect time to a after heal %v (%v); want undelayed", rtt, err)
	}
}

// qdiscs is `tc qdisc show dev link` in the namespace at ns ("" = this one).
func qdiscs(t *testing.T, ns, link string) string {
	t.Helper()
	args := []string{"qdisc", "show", "dev", link}
	if ns != "" {
		args = append([]string{"-n", filepath.Base(ns)}, args...)
	}
	out, err := exec.Command("tc", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("tc %v: %v: %s", args, err, out)
	}
	return string(out)
}

// TestAgentRefusesAClockWithoutLibfaketime: a container whose image lacks
// libfaketime still carries the preload in its environment (the loader
// ignores a missing file), so the agent must look at what is mapped: the
// fault is refused, naming the missing library, and nothing is written.
func TestAgentRefusesAClockWithoutLibfaketime(t *testing.T) {
	clockFile := filepath.Join(t.TempDir(), "faketime")
	missing := "/nonexistent/faketime/libfaketime.so.1"
	cmd := exec.Command("sleep", "600")
	cmd.Env = append(os.Environ(), agent.PreloadEnv+"="+missing, agent.FaketimeFileEnv+"="+clockFile)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	p := agent.Proc{PID: cmd.Process.Pid, Root: "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/root"}
	waitNetNS(t, map[string]agent.Proc{"a": p}) // until it runs sleep
	s, err := agent.NewServer(agent.Options{StateDir: t.TempDir(), Logf: t.Logf,
		Resolve: func(agent.Pod) (agent.Proc, error) { return p, nil }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(context.Background(), agent.Request{RunID: "r1", ID: "step-1.a", Kind: agent.KindClockSkew,
		Pod: agent.Pod{Name: "a", Process: "mariadbd"}, Offset: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "no libfaketime loaded") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("apply: %v; want a refusal naming %s", err, missing)
	}
	if _, err := os.Stat(clockFile); !os.IsNotExist(err) {
		t.Errorf("the offset file was written (%v)", err)
	}
	if recs, _ := s.List(); len(recs) != 0 {
		t.Errorf("ledger holds %v; want nothing", recs)
	}
}
