package local

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
)

// Ports every node listens on, inside its own namespace.
const (
	sqlPort    = 3306
	galeraPort = 4567
	istPort    = 4568
	sstPort    = 4444
)

// nodeName is the name of the i-th node (0-based): n1, n2, …
func nodeName(i int) string { return "n" + strconv.Itoa(i+1) }

// nodeIndex is the inverse of nodeName, -1 if node is not a node name.
func nodeIndex(node string) int {
	if len(node) != 2 || node[0] != 'n' || node[1] < '1' || node[1] > '9' {
		return -1
	}
	return int(node[1] - '1')
}

// names derives every kernel object and path name of a lab from its name.
type names struct {
	lab      string
	stateDir string
}

func (n names) labDir() string             { return filepath.Join(n.stateDir, "labs", n.lab) }
func (n names) stateFile() string          { return filepath.Join(n.labDir(), "lab.json") }
func (n names) bridge() string             { return "fl-" + n.lab }
func (n names) netns(node string) string   { return "fl-" + n.lab + "-" + node }
func (n names) hostLink(i int) string      { return "fl" + n.lab + strconv.Itoa(i+1) }
func (n names) nodeDir(node string) string { return filepath.Join(n.labDir(), node) }
func (n names) cgroupPrefix() string       { return "faultline-" + n.lab }

// node paths
func (n names) mountDir(node string) string { return filepath.Join(n.nodeDir(node), "data") }
func (n names) dataDir(node string) string  { return filepath.Join(n.mountDir(node), "db") }
func (n names) image(node string) string    { return filepath.Join(n.nodeDir(node), "disk.img") }
func (n names) cnf(node string) string      { return filepath.Join(n.nodeDir(node), "my.cnf") }
func (n names) initSQL(node string) string  { return filepath.Join(n.nodeDir(node), "init.sql") }
func (n names) errLog(node string) string   { return filepath.Join(n.nodeDir(node), "error.log") }
func (n names) console(node string) string  { return filepath.Join(n.nodeDir(node), "console.log") }
func (n names) socket(node string) string   { return filepath.Join(n.nodeDir(node), "mysqld.sock") }
func (n names) pidFile(node string) string  { return filepath.Join(n.nodeDir(node), "mysqld.pid") }
func (n names) faketime(node string) string { return filepath.Join(n.nodeDir(node), "faketime") }
func (n names) recoverLog(node string) string {
	return filepath.Join(n.nodeDir(node), "recover.log")
}

// netnsPath is where iproute2-style named namespaces are bound.
func netnsPath(ns string) string { return filepath.Join(netnsDir, ns) }

// ownsLink reports whether a root-namespace link name belongs to lab (any
// lab when lab is ""): the bridge fl-<lab> or a host veth fl<lab><digit>.
func ownsLink(lab, link string) bool {
	if lab != "" {
		if link == "fl-"+lab {
			return true
		}
		rest, ok := strings.CutPrefix(link, "fl"+lab)
		return ok && len(rest) == 1 && rest[0] >= '1' && rest[0] <= '9'
	}
	if name, ok := strings.CutPrefix(link, "fl-"); ok {
		return ValidateName(name) == nil
	}
	name, ok := strings.CutPrefix(link, "fl")
	if !ok || len(name) < 2 {
		return false
	}
	d := name[len(name)-1]
	return d >= '1' && d <= '9' && ValidateName(name[:len(name)-1]) == nil
}

// ownsNetns reports whether a named namespace belongs to lab (any lab if "").
func ownsNetns(lab, ns string) bool {
	rest, ok := strings.CutPrefix(ns, "fl-")
	if !ok {
		return false
	}
	if lab == "" {
		i := strings.LastIndexByte(rest, '-')
		return i > 0 && ValidateName(rest[:i]) == nil && nodeIndex(rest[i+1:]) >= 0
	}
	node, ok := strings.CutPrefix(rest, lab+"-")
	return ok && nodeIndex(node) >= 0
}

// plan is the address plan of a lab: the harness at .1, node i at .11+i.
type plan struct {
	subnet netip.Prefix
}

func (p plan) harness() netip.Addr { return p.at(1) }
func (p plan) node(i int) netip.Addr {
	return p.at(byte(11 + i))
}
func (p plan) at(host byte) netip.Addr {
	a := p.subnet.Addr().As4()
	a[3] = host
	return netip.AddrFrom4(a)
}
func (p plan) prefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, 24) }

func (p plan) String() string { return fmt.Sprintf("%s (harness %s)", p.subnet, p.harness()) }
