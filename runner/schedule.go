package runner

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// ActionKind is what the runner does at a point of the timeline.
type ActionKind string

// Timeline actions.
const (
	ActInject ActionKind = "inject"
	ActHeal   ActionKind = "heal"
	ActEnd    ActionKind = "end" // the workload's duration is over
)

// Action is one point of the resolved timeline.
type Action struct {
	At   time.Duration
	Kind ActionKind
	Step int // index into the plan's steps; -1 for ActEnd
}

// StepTiming is what the schedule needs of a planned step.
type StepTiming struct {
	At   time.Duration
	For  time.Duration // 0 = until the end of the workload
	Heal bool          // false for operator actions (promote) that are never healed
}

// Schedule orders the injections, heals and the end of the workload.
// A step without For is healed at the end of the workload, before the end
// action; at equal times heals come before injections (a fault is healed
// before the next one on the same node starts), and a step's inject always
// precedes its own heal.
func Schedule(steps []StepTiming, duration time.Duration) []Action {
	acts := make([]Action, 0, 2*len(steps)+1)
	for i, s := range steps {
		acts = append(acts, Action{At: s.At, Kind: ActInject, Step: i})
		if !s.Heal {
			continue
		}
		heal := duration
		if s.For > 0 && s.At+s.For < duration {
			heal = s.At + s.For
		}
		acts = append(acts, Action{At: heal, Kind: ActHeal, Step: i})
	}
	acts = append(acts, Action{At: duration, Kind: ActEnd, Step: -1})
	rank := map[ActionKind]int{ActHeal: 0, ActInject: 1, ActEnd: 2}
	sort.SliceStable(acts, func(a, b int) bool {
		x, y := acts[a], acts[b]
		if x.At != y.At {
			return x.At < y.At
		}
		if x.Step == y.Step {
			return x.Kind == ActInject // own inject first
		}
		if rank[x.Kind] != rank[y.Kind] {
			return rank[x.Kind] < rank[y.Kind]
		}
		return x.Step < y.Step
	})
	return acts
}

// String renders an action for logs and golden files.
func (a Action) String() string {
	if a.Kind == ActEnd {
		return fmt.Sprintf("%v end", a.At)
	}
	return fmt.Sprintf("%v %s step-%d", a.At, a.Kind, a.Step+1)
}

// FormatSchedule renders actions one per line.
func FormatSchedule(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		b.WriteString(a.String())
		b.WriteByte('\n')
	}
	return b.String()
}
