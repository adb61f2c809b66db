package local

import (
	"os"
	"path/filepath"
	"sort"
)

// Status is one lab as `faultline lab status` shows it.
type Status struct {
	Name     string       `json:"name"`
	Topology string       `json:"topology"`
	Subnet   string       `json:"subnet"`
	Primary  string       `json:"primary,omitempty"`
	Nodes    []NodeStatus `json:"nodes"`
}

// NodeStatus is one node of a listed lab.
type NodeStatus struct {
	Name string `json:"name"`
	Zone string `json:"zone"`
	Addr string `json:"addr"`
	PID  int    `json:"pid"` // 0 if not running
}

// List describes every lab recorded under stateDir.
func List(stateDir string) ([]Status, error) {
	dir := StateDir(stateDir)
	files, err := filepath.Glob(filepath.Join(dir, "labs", "*", "lab.json"))
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, f := range files {
		l, err := Open(filepath.Base(filepath.Dir(f)), dir)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		out = append(out, l.status())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (l *Lab) status() Status {
	s := Status{Name: l.st.Name, Topology: l.st.Topology, Subnet: l.st.Subnet, Primary: l.Primary()}
	for _, n := range l.st.Nodes {
		s.Nodes = append(s.Nodes, NodeStatus{Name: n.Name, Zone: n.Zone, Addr: n.Addr, PID: l.pid(n.Name)})
	}
	return s
}
