package local

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"faultline.dev/faultline/internal/fsutil"
	"faultline.dev/faultline/targets"
)

// nodeState is what lab.json records about one node.
type nodeState struct {
	Name        string `json:"name"`
	Zone        string `json:"zone"`
	Addr        string `json:"addr"`
	NetNS       string `json:"netns"`
	HostLink    string `json:"hostLink"`
	LoopDevice  string `json:"loopDevice,omitempty"`
	BlockDevice string `json:"blockDevice,omitempty"`
}

// Promotion records an operator promotion: what was done to every node.
type Promotion struct {
	Time    time.Time         `json:"time"`
	Node    string            `json:"node"`
	From    string            `json:"from"`
	Actions map[string]string `json:"actions"` // node → what was done, or the error
}

// state is lab.json: everything needed to attach to or tear down a lab.
type state struct {
	Name        string      `json:"name"`
	Topology    string      `json:"topology"`
	StateDir    string      `json:"stateDir"`
	Subnet      string      `json:"subnet"`
	Harness     string      `json:"harness"`
	Password    string      `json:"password"`
	Faketime    bool        `json:"faketime"`
	DiskFaults  bool        `json:"diskFaults,omitempty"`
	ClusterUUID string      `json:"clusterUUID,omitempty"`
	Primary     string      `json:"primary,omitempty"`
	Nodes       []nodeState `json:"nodes"`
	Promotions  []Promotion `json:"promotions,omitempty"`
	Created     time.Time   `json:"created"`
}

// Lab is a running local lab. It implements targets.Machine.
type Lab struct {
	n   names
	log io.Writer

	mu       sync.Mutex
	st       state
	exited   map[string]<-chan struct{} // processes this Lab started, until reaped
	launched map[string]int             // their pids
	dbs      map[string]*sql.DB         // probe pools
}

var _ targets.Machine = (*Lab)(nil)

func newLab(st state, log io.Writer) *Lab {
	if log == nil {
		log = io.Discard
	}
	return &Lab{
		n:        names{lab: st.Name, stateDir: st.StateDir},
		log:      log,
		st:       st,
		exited:   map[string]<-chan struct{}{},
		launched: map[string]int{},
		dbs:      map[string]*sql.DB{},
	}
}

// Open attaches to a running lab from its lab.json.
func Open(name, stateDir string) (*Lab, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	n := names{lab: name, stateDir: StateDir(stateDir)}
	b, err := os.ReadFile(n.stateFile())
	if err != nil {
		return nil, fmt.Errorf("open lab %s: %w", name, err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("open lab %s: %s: %w", name, n.stateFile(), err)
	}
	st.StateDir = n.stateDir
	return newLab(st, nil), nil
}

// save writes lab.json atomically. Call with l.mu held.
func (l *Lab) save() error {
	b, err := json.MarshalIndent(l.st, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(l.n.stateFile(), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save lab %s: %w", l.st.Name, err)
	}
	return nil
}

// Name is the lab name.
func (l *Lab) Name() string { return l.st.Name }

// Topology is galera or replication.
func (l *Lab) Topology() string { return l.st.Topology }

// Subnet is the lab's /24.
func (l *Lab) Subnet() string { return l.st.Subnet }

// Primary is the node the lab last made writable (replication), "" for Galera.
func (l *Lab) Primary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st.Primary
}

// Password is the password of the lab's users (faultline, root, repl).
func (l *Lab) Password() string { return l.st.Password }

// Promotions lists the promotions performed so far.
func (l *Lab) Promotions() []Promotion {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Promotion(nil), l.st.Promotions...)
}

// Nodes lists the nodes in order n1, n2, …; the harness connects as user
// faultline, which read_only applies to.
func (l *Lab) Nodes() []targets.Node {
	out := make([]targets.Node, len(l.st.Nodes))
	for i, ns := range l.st.Nodes {
		out[i] = targets.Node{Name: ns.Name, Zone: ns.Zone, Host: ns.Addr, Port: sqlPort, User: workloadUser, Password: l.st.Password}
	}
	return out
}

// admin is a node's endpoint as the lab's administrator (root).
func (l *Lab) admin(node string) (targets.Node, error) {
	for _, n := range l.Nodes() {
		if n.Name == node {
			n.User = adminUser
			return n, nil
		}
	}
	return targets.Node{}, fmt.Errorf("lab %s: no node %q", l.st.Name, node)
}

func (l *Lab) node(node string) (nodeState, error) {
	for _, ns := range l.st.Nodes {
		if ns.Name == node {
			return ns, nil
		}
	}
	return nodeState{}, fmt.Errorf("lab %s: no node %q", l.st.Name, node)
}

func (l *Lab) proc(node string) proc {
	p := proc{Node: node, NetNS: l.n.netns(node), Cnf: l.n.cnf(node), PidFile: l.n.pidFile(node), Console: l.n.console(node)}
	if l.st.Faketime {
		p.Faketime = l.n.faketime(node)
	}
	return p
}

// Handles returns where faults reach a node.
func (l *Lab) Handles(node string) (targets.NodeHandles, error) {
	ns, err := l.node(node)
	if err != nil {
		return targets.NodeHandles{}, err
	}
	h := targets.NodeHandles{
		Node:        node,
		NetNS:       netnsPath(ns.NetNS),
		HostLink:    ns.HostLink,
		Link:        nodeIface,
		Addr:        net.ParseIP(ns.Addr),
		BlockDevice: ns.BlockDevice,
		DataDir:     l.n.dataDir(node),
		LogFile:     l.n.errLog(node),
		Ports:       []int{sqlPort},
	}
	if l.st.Faketime {
		h.FaketimeFile = l.n.faketime(node)
	}
	if l.st.DiskFaults {
		h.DiskFaultFile, h.DiskFaultDir = l.n.diskControl(node), l.n.fuseDir(node)
	}
	if l.st.Topology == Galera {
		h.Ports = append(h.Ports, galeraPort, istPort, sstPort)
	}
	return h, nil
}

// PID is the node's running mariadbd, 0 if none.
func (l *Lab) PID(node string) (int, error) {
	if _, err := l.node(node); err != nil {
		return 0, err
	}
	return l.pid(node), nil
}

// ConnectInfo tells a person how to reach every node.
func (l *Lab) ConnectInfo() string {
	var b strings.Builder
	for _, n := range l.Nodes() {
		fmt.Fprintf(&b, "%s (zone %s): mariadb -h %s -P %d -u %s -p'%s'\n", n.Name, n.Zone, n.Host, n.Port, n.User, n.Password)
	}
	return b.String()
}

// Logs copies every node's error log into dir as <node>.log.
func (l *Lab) Logs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lab %s logs: %w", l.st.Name, err)
	}
	var errs []error
	for _, ns := range l.st.Nodes {
		b, err := os.ReadFile(l.n.errLog(ns.Name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, ns.Name+".log"), b, 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab %s logs: %w", l.st.Name, err)
	}
	return nil
}

func (l *Lab) logf(format string, args ...any) {
	fmt.Fprintf(l.log, "lab %s: "+format+"\n", append([]any{l.st.Name}, args...)...)
}
