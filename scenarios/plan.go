package scenarios

import (
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"
)

// Plan is a scenario resolved into a timeline: what will happen when, to
// which nodes it may happen, with which seed. Building it touches nothing;
// `faultline plan` prints it and the runner executes it.
type Plan struct {
	Scenario string          `json:"scenario"`
	Source   string          `json:"source,omitempty"`
	Seed     int64           `json:"seed"`
	Target   TargetSummary   `json:"target"`
	Workload WorkloadSummary `json:"workload"`
	Steps    []PlannedStep   `json:"steps"`
	Checks   []string        `json:"checks"`
	// Duration of the workload; every fault is healed before it ends.
	Duration time.Duration `json:"duration"`
	// Backup is the backup schedule (spec.backup), nil without one.
	Backup *BackupSchedule `json:"backup,omitempty"`
}

// TargetSummary is the target as the plan sees it.
type TargetSummary struct {
	Kind     string `json:"kind"` // local | kubernetes
	Topology string `json:"topology,omitempty"`
	// Lab name (local) or namespace/statefulSet (kubernetes).
	Name string `json:"name"`
	// Nodes and their zones in node order; empty for Kubernetes until attached.
	Nodes []string `json:"nodes,omitempty"`
	Zones []string `json:"zones,omitempty"`
}

// WorkloadSummary is the workload as the plan sees it.
type WorkloadSummary struct {
	Kind      string        `json:"kind"`
	Clients   int           `json:"clients"`
	Rate      Rate          `json:"rate"`
	OpenLoop  bool          `json:"openLoop,omitempty"`
	Routing   string        `json:"routing"`
	OpTimeout time.Duration `json:"opTimeout"`
}

// PlannedStep is one fault on the resolved timeline.
type PlannedStep struct {
	ID   string        `json:"id"` // step-1, step-2, … in file order
	Name string        `json:"name,omitempty"`
	At   time.Duration `json:"at"`
	// Heal is the absolute time the fault is healed; nil = at the end of the
	// workload (or never, for promote).
	Heal *time.Duration `json:"heal,omitempty"`
	Kind string         `json:"kind"` // the fault field, e.g. partition
	// Params is the fault's own fields as JSON, e.g. {"shape":"isolate"}.
	Params json.RawMessage `json:"params"`
	// Selector describes the selection for people, e.g. "random 1 of role replicas".
	Selector string `json:"selector"`
	// Select is the selector itself, resolved when the step fires.
	Select Selector `json:"select"`
	// Candidates are the nodes the step may touch (all nodes for roles).
	Candidates []string `json:"candidates"`
	// Host is how the host the plan was made on carries the step out
	// (MarkHost); nil when the host was not asked.
	Host *HostSupport `json:"host,omitempty"`
}

// NewPlan resolves a loaded (validated, defaulted) scenario. seed overrides
// spec.seed when non-zero; when both are zero the plan's seed is 0 and the
// caller picks one (NewSeed) before running. NewPlan is pure.
func NewPlan(s *Scenario, seed int64) *Plan {
	if seed == 0 {
		seed = s.Spec.Seed
	}
	w := s.Spec.Workload
	p := &Plan{
		Scenario: s.Metadata.Name,
		Source:   s.Source,
		Seed:     seed,
		Target:   targetSummary(s),
		Workload: WorkloadSummary{Kind: w.Kind, Clients: w.Clients, Rate: w.Rate, OpenLoop: w.OpenLoop,
			Routing: w.Routing, OpTimeout: w.OpTimeout.D()},
		Checks:   slices.Clone(s.Spec.Verify.Checks),
		Duration: w.Duration.D(),
		Steps:    []PlannedStep{},
		Backup:   s.Spec.Backup,
	}
	sc := scopeOf(s)
	for i := range s.Spec.Faults {
		p.Steps = append(p.Steps, planStep(sc, i, &s.Spec.Faults[i]))
	}
	slices.SortStableFunc(p.Steps, func(a, b PlannedStep) int { return cmp.Compare(a.At, b.At) })
	return p
}

func targetSummary(s *Scenario) TargetSummary {
	t := s.Spec.Target
	ts := TargetSummary{Kind: t.Kind(), Topology: t.Topology()}
	switch ts.Kind {
	case TargetLocal:
		ts.Name = LabName(s)
		ts.Nodes = NodeNames(t.Local.Nodes)
		ts.Zones = slices.Clone(t.Local.Zones)
		if len(ts.Zones) != len(ts.Nodes) {
			ts.Zones = DefaultZones(len(ts.Nodes))
		}
	case TargetKubernetes:
		k := t.Kubernetes
		ts.Name = k.Namespace + "/" + k.StatefulSet
		if k.StatefulSet == "" {
			ts.Name = k.Namespace + "/" + k.Selector
		}
	}
	return ts
}

func planStep(sc scope, i int, st *Step) PlannedStep {
	ps := PlannedStep{ID: StepID(i), Name: st.Name, At: st.At.D(), Kind: st.Kind(), Select: effectiveSelect(st)}
	if st.For != nil {
		h := (st.At + *st.For).D()
		ps.Heal = &h
	}
	ps.Params, _ = json.Marshal(st.Fault()) // fault structs always marshal
	ps.Selector = stepSelector(st)
	nodes, _ := sc.stepTargets(st)
	ps.Candidates = nodes
	if ps.Candidates == nil {
		ps.Candidates = []string{}
	}
	return ps
}

// stepSelector describes what a step selects, including faults that select
// by their own fields.
func stepSelector(st *Step) string {
	switch {
	case st.AZDrain != nil:
		return "zone " + st.AZDrain.Zone
	case st.Partition != nil && st.Partition.Shape == ShapeGroups:
		return "groups " + groupsString(st.Partition.Groups)
	}
	return effectiveSelect(st).String()
}

// effectiveSelect is the selector a step resolves when it fires: its own,
// except that a majority-minority partition without one cuts off a random
// minority (the selected nodes of that shape are its minority side).
func effectiveSelect(st *Step) Selector {
	if st.Partition != nil && st.Partition.Shape == ShapeMajorityMinor && st.Select.IsZero() {
		return Selector{Role: RoleMinority}
	}
	return st.Select
}

func groupsString(groups [][]string) string {
	var b []byte
	for i, g := range groups {
		if i > 0 {
			b = append(b, '|')
		}
		for j, n := range g {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, n...)
		}
	}
	return string(b)
}

// NewSeed picks a random non-zero seed for a run that was given none.
func NewSeed() int64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		if s := int64(binary.LittleEndian.Uint64(b[:]) >> 1); s != 0 {
			return s
		}
	}
}
