package scenarios

import (
	"slices"
	"strings"
)

// window is when a step holds: [start, end), or the instant start when
// instant (promote; a podKill, whose pod the StatefulSet replaces at once).
type window struct {
	start, end Duration
	instant    bool
}

func (a window) overlaps(b window) bool {
	switch {
	case a.instant && b.instant:
		return a.start == b.start
	case a.instant:
		return b.start <= a.start && a.start < b.end
	case b.instant:
		return a.start <= b.start && b.start < a.end
	}
	return a.start < b.end && b.start < a.end
}

// stepWindow: a step without for lasts until the workload ends.
func stepWindow(st *Step, workload Duration) window {
	if k := st.Kind(); k == FaultPromote || k == FaultPodKill {
		return window{start: st.At, end: st.At, instant: true}
	}
	end := workload
	if st.For != nil {
		end = st.At + *st.For
	}
	return window{start: st.At, end: end}
}

// StepID names step i (0-based) for plans and messages: its name or step-N.
func StepID(i int) string { return "step-" + itoa(i+1) }

// conflicts rejects two steps of one fault family whose windows overlap and
// that may touch the same node.
func (v *validator) conflicts() {
	steps := v.s.Spec.Faults
	type touched struct {
		family string
		win    window
		nodes  []string
		any    bool
	}
	ts := make([]touched, len(steps))
	for i := range steps {
		st := &steps[i]
		if len(st.Faults()) != 1 {
			continue
		}
		nodes, any := v.scope.stepTargets(st)
		ts[i] = touched{st.family(), stepWindow(st, v.s.Spec.Workload.Duration), nodes, any}
	}
	for j := range ts {
		for i := 0; i < j; i++ {
			a, b := ts[i], ts[j]
			if a.family == "" || a.family != b.family || !a.win.overlaps(b.win) {
				continue
			}
			common, ok := intersect(a.nodes, a.any, b.nodes, b.any)
			if !ok {
				continue
			}
			v.errorf(index("spec.faults", j), "%s overlaps %s (spec.faults[%d]): both are %s faults that may touch %s while both hold; expected disjoint time windows or nodes",
				describeStep(&steps[j], j), describeStep(&steps[i], i), i, a.family, common)
		}
	}
}

func describeStep(st *Step, i int) string {
	if st.Name != "" {
		return StepID(i) + " " + `"` + st.Name + `"`
	}
	return StepID(i)
}

// intersect returns the nodes two steps may share, described, and whether
// they may share any.
func intersect(a []string, aAny bool, b []string, bAny bool) (string, bool) {
	switch {
	case aAny && bAny:
		return "any node", true
	case aAny:
		return strings.Join(b, ","), len(b) > 0
	case bAny:
		return strings.Join(a, ","), len(a) > 0
	}
	var common []string
	for _, n := range a {
		if slices.Contains(b, n) {
			common = append(common, n)
		}
	}
	return strings.Join(common, ","), len(common) > 0
}

// stepTargets are the nodes a step may touch; any = possibly every node.
func (sc scope) stepTargets(st *Step) (nodes []string, any bool) {
	switch st.Kind() {
	case FaultAZDrain:
		if !sc.known() {
			return nil, true
		}
		return slices.Clone(sc.zones[st.AZDrain.Zone]), false
	case FaultPartition:
		if st.Partition.Shape == ShapeGroups {
			var all []string
			for _, g := range st.Partition.Groups {
				all = append(all, g...)
			}
			return all, false
		}
		if st.Select.IsZero() {
			return slices.Clone(sc.nodes), !sc.known()
		}
	}
	nodes, any = sc.candidates(st.Select)
	if st.Select.Random > 0 {
		any = any || len(st.Select.Nodes) == 0 && st.Select.Zone == ""
	}
	return nodes, any
}
