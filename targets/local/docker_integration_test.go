package local_test

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// besideDockerEnv marks the run of TestIntegrationLabBesideDocker inside
// its own network namespace.
const besideDockerEnv = "FAULTLINE_TEST_BESIDE_DOCKER"

// A lab works on a host where Docker runs: dockerd sets the FORWARD policy
// to DROP and bridge-nf-call-iptables=1, and the lab accepts forwarding on
// its own bridge only, then removes that rule when it goes down.
//
// The test runs again in a fresh network namespace, where dockerd's
// firewall changes (iptables, ip_forward and br_netfilter's sysctl are all
// per namespace) stay out of the machine's own, so labs already running
// here are not cut off while it runs; the root namespace's firewall is
// checked to be as the test found it.
func TestIntegrationLabBesideDocker(t *testing.T) {
	if os.Getenv(besideDockerEnv) != "" {
		labBesideDocker(t)
		return
	}
	before := hostFirewall(t)
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^TestIntegrationLabBesideDocker$", "-test.v", "-test.count=1", "-test.timeout=8m")
	cmd.Env = append(os.Environ(), besideDockerEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	out, err := cmd.CombinedOutput()
	t.Logf("in its own network namespace (%.1fs):\n%s", time.Since(start).Seconds(), out)
	if err != nil {
		t.Fatalf("lab beside dockerd: %v", err)
	}
	if after := hostFirewall(t); after != before {
		t.Fatalf("host firewall changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func labBesideDocker(t *testing.T) {
	ctx := testCtx(t, 6*time.Minute)
	lo, err := netlink.LinkByName("lo")
	if err == nil {
		err = netlink.LinkSetUp(lo)
	}
	if err != nil {
		t.Fatalf("loopback: %v", err)
	}
	// A fresh host forwards nothing until dockerd enables forwarding, and
	// then dockerd sets FORWARD's policy to DROP. A new namespace may
	// start with forwarding on (copied from a host where Docker ran):
	// start from the fresh host's state.
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0"), 0o644); err != nil {
		t.Fatalf("ip_forward: %v", err)
	}
	start := time.Now()
	d := startDockerd(t)
	t.Logf("dockerd %d answering in %.1fs", d.pid, time.Since(start).Seconds())
	if save := iptablesSave(t); !strings.Contains(save, ":FORWARD DROP") || !strings.Contains(save, ":DOCKER-USER") {
		t.Fatalf("dockerd did not set FORWARD DROP and make DOCKER-USER; iptables-save:\n%s", save)
	}
	if b, _ := os.ReadFile("/proc/sys/net/bridge/bridge-nf-call-iptables"); strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("bridge-nf-call-iptables = %q beside dockerd, want 1", b)
	}

	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 3})
	rule := onlyRule(t, lab.Name())
	if !strings.HasPrefix(rule, "-A DOCKER-USER -i fl-"+lab.Name()+" -o fl-"+lab.Name()+" ") || !strings.HasSuffix(rule, "-j ACCEPT") {
		t.Fatalf("lab rule %q, want an accept in DOCKER-USER for its bridge only", rule)
	}
	if left, _ := local.Leftovers(ctx, lab.Name()); !strings.Contains(strings.Join(left, "\n"), "firewall rule iptables-nft DOCKER-USER -i fl-"+lab.Name()) {
		t.Fatalf("Leftovers of a running lab do not list its rule: %q", left)
	}
	replicates(t, lab, "n1", "n3", 1)

	// the rule is what lets nodes talk: without it n1 cannot reach n2
	h1, _ := lab.Handles("n1")
	h2, _ := lab.Handles("n2")
	if code := tcpProbe(h1.NetNS, h2.Addr.String()); code != 0 {
		t.Fatalf("n1 → n2:3306 with the rule: exit %d, want connected", code)
	}
	iptables(t, strings.Replace(rule, "-A ", "-D ", 1))
	if code := tcpProbe(h1.NetNS, h2.Addr.String()); code != 124 {
		t.Fatalf("n1 → n2:3306 without the rule: exit %d, want a timeout (dropped): the test proves nothing", code)
	}
	for want := 1; want >= 0; want-- { // re-adding once adds one, then nothing
		if n, err := local.EnsureForward(ctx, lab.Name()); err != nil || n != want {
			t.Fatalf("EnsureForward: added %d (%v), want %d", n, err, want)
		}
	}
	onlyRule(t, lab.Name())
	if code := tcpProbe(h1.NetNS, h2.Addr.String()); code != 0 {
		t.Fatalf("n1 → n2:3306 with the rule back: exit %d, want connected", code)
	}
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	replicates(t, lab, "n2", "n1", 2)

	assertNoLeftovers(t, ctx, lab)
	if left := ruleLines(iptablesSave(t)+legacySave(t), lab.Name()); len(left) != 0 {
		t.Fatalf("rules left after down: %q", left)
	}
	if err := local.Down(ctx, lab.Name(), ""); err != nil { // nothing left: a no-op
		t.Fatalf("down of a lab already down: %v", err)
	}
	t.Logf("lab beside dockerd: %.1fs", time.Since(start).Seconds())
}

// replicates writes row id on node from and reads it on node to.
func replicates(t *testing.T, lab *local.Lab, from, to string, id int) {
	t.Helper()
	src, dst := open(t, lab, from), open(t, lab, to)
	mustExec(t, src, "CREATE DATABASE IF NOT EXISTS docker", "CREATE TABLE IF NOT EXISTS docker.t (id INT PRIMARY KEY)",
		"INSERT INTO docker.t VALUES ("+strconv.Itoa(id)+")")
	mustExec(t, dst, "SET SESSION wsrep_sync_wait=1")
	if got := count(t, dst, "SELECT COUNT(*) FROM docker.t WHERE id = "+strconv.Itoa(id)); got != 1 {
		t.Fatalf("%s reads %d rows of id %d written on %s, want 1", to, got, id, from)
	}
}

// tcpProbe connects from inside netns to addr:3306 within 2 s: the exit
// code of timeout(1), 0 connected, 124 timed out.
func tcpProbe(netns, addr string) int {
	err := exec.Command("nsenter", "--net="+netns, "--", "timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/"+addr+"/3306").Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// onlyRule is the one rule tagged with lab in the namespace's firewall.
func onlyRule(t *testing.T, lab string) string {
	t.Helper()
	rules := ruleLines(iptablesSave(t)+legacySave(t), lab)
	if len(rules) != 1 {
		t.Fatalf("rules of lab %s: %q, want exactly one", lab, rules)
	}
	return rules[0]
}

func ruleLines(save, lab string) []string {
	var out []string
	for _, line := range strings.Split(save, "\n") {
		if strings.Contains(line, `--comment "faultline lab `+lab+`"`) {
			out = append(out, line)
		}
	}
	return out
}

// iptablesSave is the ruleset as Docker's iptables command (iptables, the
// nf_tables one on Debian) shows it.
func iptablesSave(t *testing.T) string { return output(t, "iptables-save") }
func legacySave(t *testing.T) string   { return output(t, "iptables-legacy-save") }

func iptables(t *testing.T, args string) {
	t.Helper()
	output(t, "sh", "-c", "iptables -w -t filter "+args)
}

func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
	return string(out)
}

// hostFirewall is what of the namespace's firewall a dockerd would change:
// chains and policies of both iptables backends, ip_forward and
// bridge-nf-call-iptables (not rules: labs running here add and remove theirs).
func hostFirewall(t *testing.T) string {
	var b strings.Builder
	for _, save := range []string{iptablesSave(t), legacySave(t)} {
		for _, line := range strings.Split(save, "\n") {
			if f := strings.Fields(line); len(f) > 0 && (f[0][0] == '*' || f[0][0] == ':') {
				b.WriteString(strings.Join(f[:min(2, len(f))], " ") + "\n")
			}
		}
	}
	for _, f := range []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/bridge/bridge-nf-call-iptables"} {
		v, _ := os.ReadFile(f)
		b.WriteString(f + " " + string(v))
	}
	return b.String()
}
