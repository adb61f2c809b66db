package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

func disasterKind() targets.Kind {
	return targets.Kind{
		Spelling: scenarios.Spell[scenarios.Empty](scenarios.KindSpec{Name: scenarios.FaultDisaster, Selects: true}, nil),
		Life:     injectors.Lifecycle{OneShot: true, Proof: "every selected node's mariadbd gone and its data directory empty"},
		Build:    buildDisaster,
		Rebuild:  rebuild(scenarios.FaultDisaster),
	}
}

// disaster destroys the selected nodes' data: each server killed, its data
// directory emptied. It stays until a restore step rebuilds the nodes.
type disaster struct {
	p   params
	lab lab
}

var (
	_ injectors.Fault    = (*disaster)(nil)
	_ injectors.Verifier = (*disaster)(nil)
)

func buildDisaster(_ context.Context, s targets.Session, st targets.Step) (injectors.Fault, error) {
	l, err := labOf(s, scenarios.FaultDisaster)
	if err != nil {
		return nil, err
	}
	return &disaster{p: params{Nodes: st.Nodes, RunID: st.RunID}, lab: l}, nil
}

func (f *disaster) Kind() string            { return scenarios.FaultDisaster }
func (f *disaster) Params() json.RawMessage { return f.p.json() }

func (f *disaster) Inject(ctx context.Context) error {
	if f.lab == nil {
		return fmt.Errorf("disaster on %s: rebuilt from the ledger, it has no lab", strings.Join(f.p.Nodes, ","))
	}
	return f.lab.Destroy(ctx, f.p.Nodes)
}

// Recover does nothing: lost data comes back only by a restore.
func (f *disaster) Recover(context.Context) error { return nil }

// Verify shows each node without a server and without data.
func (f *disaster) Verify(context.Context) (injectors.Evidence, error) {
	var left []string
	for _, n := range f.p.Nodes {
		if why := f.lab.Destroyed(n); why != "" {
			left = append(left, why)
		}
	}
	if len(left) > 0 {
		return injectors.Evidence{Summary: strings.Join(left, "; ")}, nil
	}
	return injectors.Evidence{Held: true, Summary: fmt.Sprintf("%s: server killed, data directory empty", strings.Join(f.p.Nodes, ","))}, nil
}
