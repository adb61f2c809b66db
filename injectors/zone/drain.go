// Package zone holds the zone loss of the local lab (azDrain): every node of
// a zone is cut off the network (an nftables table dropping everything on
// its interface) and killed; recovery removes the tables and starts the
// nodes again.
package zone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/process"
	"faultline.dev/faultline/targets"
)

// Kind is the registered kind of a zone drain.
const Kind = "azDrain"

// Node is one drained node.
type Node struct {
	Node  string `json:"node"`
	NetNS string `json:"netns"`
	Link  string `json:"link"`
	Addr  net.IP `json:"addr"`
	Port  int    `json:"port"`
	PID   int    `json:"pid"`
}

// Params is everything needed to apply and undo a drain.
type Params struct {
	RunID    string `json:"runId"`
	Lab      string `json:"lab"`
	StateDir string `json:"stateDir"`
	Zone     string `json:"zone"`
	Table    string `json:"table"`
	Nodes    []Node `json:"nodes"`
}

// Drain loses a zone.
type Drain struct {
	p    Params
	m    targets.Machine
	open process.Opener
}

var _ injectors.Verifier = (*Drain)(nil)

// New builds the drain of zone on m.
func New(runID, stateDir string, m targets.Machine, zone string) (*Drain, error) {
	p := Params{RunID: runID, Lab: m.Name(), StateDir: stateDir, Zone: zone, Table: network.TableName(runID)}
	for _, n := range m.Nodes() {
		if n.Zone != zone {
			continue
		}
		h, err := m.Handles(n.Name)
		if err != nil {
			return nil, fmt.Errorf("azDrain %s: handles of %s: %w", zone, n.Name, err)
		}
		pid, _ := m.PID(n.Name)
		p.Nodes = append(p.Nodes, Node{Node: n.Name, NetNS: h.NetNS, Link: h.Link, Addr: h.Addr, Port: h.Ports[0], PID: pid})
	}
	if len(p.Nodes) == 0 {
		return nil, fmt.Errorf("azDrain: no node in zone %q", zone)
	}
	return &Drain{p: p, m: m}, nil
}

// FromParams rebuilds a drain; open reopens the lab to restart its nodes.
func FromParams(raw json.RawMessage, open process.Opener) (*Drain, error) {
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("azDrain params: %w", err)
	}
	return &Drain{p: p, open: open}, nil
}

// Kind is "azDrain".
func (*Drain) Kind() string { return Kind }

// Params is the JSON of Params.
func (f *Drain) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *Drain) machine(ctx context.Context) (targets.Machine, error) {
	if f.m == nil && f.open != nil {
		m, err := f.open(ctx, f.p.Lab, f.p.StateDir)
		if err != nil {
			return nil, fmt.Errorf("open lab %s: %w", f.p.Lab, err)
		}
		f.m = m
	}
	if f.m == nil {
		return nil, fmt.Errorf("no way to open lab %s", f.p.Lab)
	}
	return f.m, nil
}

// Inject cuts every node of the zone off the network, then kills it.
func (f *Drain) Inject(ctx context.Context) error {
	m, err := f.machine(ctx)
	if err != nil {
		return fmt.Errorf("inject azDrain %s: %w", f.p.Zone, err)
	}
	for _, n := range f.p.Nodes {
		if err := network.ApplyTable(n.NetNS, network.TableSpec{Table: f.p.Table, DropLink: n.Link}); err != nil {
			return fmt.Errorf("inject azDrain %s: cut %s: %w", f.p.Zone, n.Node, err)
		}
	}
	for _, n := range f.p.Nodes {
		if err := m.StopNode(ctx, n.Node, false); err != nil {
			return fmt.Errorf("inject azDrain %s: kill %s: %w", f.p.Zone, n.Node, err)
		}
	}
	return nil
}

// Recover removes the tables, then starts every node that is not running.
func (f *Drain) Recover(ctx context.Context) error {
	var errs []error
	for _, n := range f.p.Nodes {
		if err := network.DeleteTable(n.NetNS, f.p.Table); err != nil {
			errs = append(errs, fmt.Errorf("recover azDrain %s: %w", f.p.Zone, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m, err := f.machine(ctx)
	if err != nil {
		return fmt.Errorf("recover azDrain %s: %w", f.p.Zone, err)
	}
	for _, n := range f.p.Nodes {
		if pid, err := m.PID(n.Node); err == nil && pid > 0 {
			continue
		}
		if err := m.StartNode(ctx, n.Node); err != nil {
			errs = append(errs, fmt.Errorf("recover azDrain %s: start %s: %w", f.p.Zone, n.Node, err))
		}
	}
	return errors.Join(errs...)
}

// Evidence is, per node, whether its process is gone and its SQL port is
// unreachable from the harness.
type Evidence map[string]string

// Verify holds when every node of the zone is down and unreachable (a
// connection to its SQL port times out rather than being refused).
func (f *Drain) Verify(ctx context.Context) (injectors.Evidence, error) {
	ev := Evidence{}
	held := true
	for _, n := range f.p.Nodes {
		st, _ := process.State(n.PID)
		gone := st == "" || st == "Z"
		c, err := (&net.Dialer{Timeout: 500 * time.Millisecond}).DialContext(ctx, "tcp", net.JoinHostPort(n.Addr.String(), strconv.Itoa(n.Port)))
		if c != nil {
			c.Close()
		}
		var ne net.Error
		cut := errors.As(err, &ne) && ne.Timeout()
		ev[n.Node] = fmt.Sprintf("process gone=%v, network cut=%v", gone, cut)
		held = held && gone && cut
	}
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: held, Summary: fmt.Sprintf("zone %s: %v", f.p.Zone, ev), Data: b}, nil
}
