package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// outage is a fault kind that lives in this one file and is registered by
// one line of the fake provider's Faults: its spelling in the scenario
// format, its rules, its fault, builder, rebuilder and lifecycle. It takes
// the selected nodes of a fake cluster down until it is healed:
//
//	faults:
//	  - {at: 1s, for: 1s, outage: {cause: power, atMost: 1}, select: {nodes: [n1]}}
const kindOutage = "outage"

// outageKind is the registration.
func outageKind() targets.Kind {
	return targets.Kind{
		Spelling: scenarios.Spell(scenarios.KindSpec{Name: kindOutage, Family: scenarios.FamilyProcess, Selects: true}, outageRules),
		Life:     injectors.Lifecycle{Proof: "the cluster reports every selected node down"},
		Build:    buildOutage,
		Rebuild:  rebuildOutage,
	}
}

// outageSpec is how a step spells the kind's fields.
type outageSpec struct {
	Cause string `json:"cause" yaml:"cause"` // power | network
	// AtMost refuses to take more nodes down than this; 0 = no bound.
	AtMost int `json:"atMost,omitempty" yaml:"atMost,omitempty"`
}

func outageRules(p *outageSpec, r scenarios.Rules) {
	switch p.Cause {
	case "power", "network":
	case "":
		r.Errorf("cause", "missing cause; expected power or network")
	default:
		r.Errorf("cause", "cause %q; expected power or network", p.Cause)
	}
	if p.AtMost < 0 {
		r.Errorf("atMost", "atMost %d; expected a node count ≥ 0", p.AtMost)
	}
}

// outageParams are what the fault records in the ledger: enough to reopen
// its cluster and undo it.
type outageParams struct {
	Cluster string   `json:"cluster"`
	Cause   string   `json:"cause"`
	Nodes   []string `json:"nodes"`
}

func buildOutage(_ context.Context, s targets.Session, st targets.Step) (injectors.Fault, error) {
	var spec outageSpec
	if err := json.Unmarshal(st.Params, &spec); err != nil {
		return nil, fmt.Errorf("outage params: %w", err)
	}
	if spec.AtMost > 0 && len(st.Nodes) > spec.AtMost {
		return nil, fmt.Errorf("outage: %d nodes selected, atMost %d", len(st.Nodes), spec.AtMost)
	}
	return openOutage(outageParams{Cluster: s.Name(), Cause: spec.Cause, Nodes: st.Nodes})
}

func rebuildOutage(raw json.RawMessage) (injectors.Fault, error) {
	var p outageParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("outage ledger params: %w", err)
	}
	return openOutage(p)
}

func openOutage(p outageParams) (injectors.Fault, error) {
	c, ok := fakeClusters.Load(p.Cluster)
	if !ok {
		return nil, fmt.Errorf("outage: no fake cluster %q", p.Cluster)
	}
	return &outageFault{c: c.(*fakeCluster), p: p}, nil
}

// outageFault takes its nodes down; noeffect= and failrecover= of the
// lifecycle tests script it as they script the built-in fakes.
type outageFault struct {
	c *fakeCluster
	p outageParams
}

var _ injectors.Verifier = (*outageFault)(nil)

func (f *outageFault) Kind() string { return kindOutage }

func (f *outageFault) Params() json.RawMessage { b, _ := json.Marshal(f.p); return b }

func (f *outageFault) Inject(context.Context) error {
	f.c.logf("inject outage %s (%s)", strings.Join(f.p.Nodes, ","), f.p.Cause)
	if !f.c.noEffect[kindOutage] {
		f.c.setDown(f.p.Nodes, true)
	}
	return nil
}

func (f *outageFault) Recover(context.Context) error {
	f.c.logf("recover outage %s", strings.Join(f.p.Nodes, ","))
	if f.c.failRecover[kindOutage] {
		return fmt.Errorf("recover outage on %s: scripted failure", strings.Join(f.p.Nodes, ","))
	}
	f.c.setDown(f.p.Nodes, false)
	return nil
}

func (f *outageFault) Verify(context.Context) (injectors.Evidence, error) {
	var up []string
	for _, n := range f.p.Nodes {
		if !f.c.isDown(n) {
			up = append(up, n)
		}
	}
	if len(up) > 0 {
		return injectors.Evidence{Summary: "still up: " + strings.Join(up, ",")}, nil
	}
	return injectors.Evidence{Held: true, Summary: "down: " + strings.Join(f.p.Nodes, ",")}, nil
}
