package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/network"
)

// outageParams are a node outage's record: the table in the node's
// network namespace.
type outageParams struct {
	RunID string `json:"runId"`
	Node  string `json:"node"`
	NetNS string `json:"netns"`
	Table string `json:"table"`
}

// outage drops everything but loopback in the node's network namespace
// (the namespace of the proc dir's pid 1: with hostPID, the node's init).
type outage struct{ p outageParams }

var (
	_ injectors.Fault    = (*outage)(nil)
	_ injectors.Verifier = (*outage)(nil)
)

func newOutage(req Request, proc string) (*outage, error) {
	if req.Lease <= 0 {
		return nil, fmt.Errorf("nodeOutage of %s: no lease; the agent must heal it by itself, the harness cannot reach a silent node", req.Pod.Name)
	}
	if req.Defer <= 0 {
		return nil, fmt.Errorf("nodeOutage of %s: no defer; the cut would swallow the agent's answer", req.Pod.Name)
	}
	return &outage{outageParams{RunID: req.RunID, Node: req.Pod.Name,
		NetNS: filepath.Join(proc, "1", "ns", "net"), Table: network.TableName(req.RunID) + "_outage"}}, nil
}

func outageFromParams(raw json.RawMessage) (injectors.Fault, error) {
	var p outageParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("nodeOutage params: %w", err)
	}
	return &outage{p}, nil
}

func (*outage) Kind() string              { return KindNodeOutage }
func (f *outage) Params() json.RawMessage { b, _ := json.Marshal(f.p); return b }

func (f *outage) Inject(context.Context) error {
	return network.ApplyTable(f.p.NetNS, network.TableSpec{Table: f.p.Table, Isolate: true})
}

func (f *outage) Recover(context.Context) error { return network.DeleteTable(f.p.NetNS, f.p.Table) }

// Verify shows the table in the node's namespace.
func (f *outage) Verify(context.Context) (injectors.Evidence, error) {
	tables, err := network.ListTables(f.p.NetNS)
	if err != nil {
		return injectors.Evidence{}, err
	}
	if !slices.Contains(tables, f.p.Table) {
		return injectors.Evidence{Summary: fmt.Sprintf("node %s: no table %s", f.p.Node, f.p.Table)}, nil
	}
	return injectors.Evidence{Held: true, Summary: fmt.Sprintf("node %s silent: table %s drops all but loopback", f.p.Node, f.p.Table)}, nil
}
