// Package nstest builds bare network namespaces for tests and benchmarks of
// the network faults: a bridge in the root namespace holding the harness
// address and, per node, a namespace joined to it by a veth pair, the same
// layout as the local lab but without databases.
package nstest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"faultline.dev/faultline/targets/local"
)

// Node is one bare namespace.
type Node struct {
	Name     string
	NetNS    string // /run/netns/<ns>
	HostLink string
	Link     string
	Addr     net.IP
}

// Net is a bridge and its namespaces.
type Net struct {
	Bridge  string
	Harness net.IP
	Nodes   []Node
}

// New builds n namespaces on subnet 198.18.<octet>.0/24 (the lab's range;
// octets 200 and above, clear of the labs' first free subnets), with the
// firewall accepting what is bridged between them (as a lab's own rule
// does: a Docker daemon that ran here leaves FORWARD's policy at DROP);
// everything is removed when the test ends. It fails the test when not run
// as root.
func New(tb testing.TB, octet, n int) *Net {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Fatal("network namespace tests need root (run as root, e.g. through make test)")
	}
	id := fmt.Sprintf("%d%d", os.Getpid()%10000, octet)
	nt := &Net{Bridge: "flbr" + id, Harness: net.IPv4(198, 18, byte(octet), 1)}
	tb.Cleanup(func() { nt.teardown() })
	run(tb, "ip", "link", "add", nt.Bridge, "type", "bridge")
	undo, err := local.AcceptBridge(context.Background(), nt.Bridge, "faultline test "+nt.Bridge)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { undo(context.Background()) })
	run(tb, "ip", "addr", "add", nt.Harness.String()+"/24", "dev", nt.Bridge)
	run(tb, "ip", "link", "set", nt.Bridge, "up")
	for i := 1; i <= n; i++ {
		node := Node{Name: fmt.Sprintf("n%d", i), NetNS: fmt.Sprintf("/run/netns/flt%s-n%d", id, i),
			HostLink: fmt.Sprintf("flh%s-%d", id, i), Link: "eth0", Addr: net.IPv4(198, 18, byte(octet), byte(10+i))}
		ns := nsName(node)
		nt.Nodes = append(nt.Nodes, node)
		run(tb, "ip", "netns", "add", ns)
		run(tb, "ip", "link", "add", node.HostLink, "type", "veth", "peer", "name", "eth0", "netns", ns)
		run(tb, "ip", "link", "set", node.HostLink, "master", nt.Bridge, "up")
		run(tb, "ip", "-n", ns, "addr", "add", node.Addr.String()+"/24", "dev", "eth0")
		run(tb, "ip", "-n", ns, "link", "set", "eth0", "up")
		run(tb, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	return nt
}

func nsName(n Node) string { return strings.TrimPrefix(n.NetNS, "/run/netns/") }

func (nt *Net) teardown() {
	for _, n := range nt.Nodes {
		exec.Command("ip", "link", "del", n.HostLink).Run()
		exec.Command("ip", "netns", "del", nsName(n)).Run()
	}
	exec.Command("ip", "link", "del", nt.Bridge).Run()
}

// Exec runs a command inside a node's namespace and returns its output.
func Exec(n Node, name string, args ...string) ([]byte, error) {
	return exec.Command("ip", append([]string{"netns", "exec", nsName(n), name}, args...)...).CombinedOutput()
}

func run(tb testing.TB, name string, args ...string) {
	tb.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}
