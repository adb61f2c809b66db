package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/all"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
)

// stepGuard is a fired step: its guarded fault and the nodes it touched.
type stepGuard struct {
	step  scenarios.PlannedStep
	guard *injectors.Guard
	nodes []string
}

// faultTimeout bounds one injection or heal, which runs detached from the
// run's context so a Ctrl-C never leaves a fault half-applied.
const faultTimeout = 2 * time.Minute

func (r *run) stepTimings() []StepTiming {
	ts := make([]StepTiming, len(r.plan.Steps))
	for i, s := range r.plan.Steps {
		ts[i] = StepTiming{At: s.At, Heal: s.Kind != scenarios.FaultPromote}
		if s.Heal != nil {
			ts[i].For = *s.Heal - s.At
		}
	}
	return ts
}

func (r *run) env() all.Env {
	return all.Env{
		StateDir: r.o.StateDir,
		Open: func(_ context.Context, lab, stateDir string) (targets.Machine, error) {
			return local.Open(lab, stateDir)
		},
	}
}

// fire performs one timeline action. Selection and construction happen
// here, in timeline order (so a seed replays the same choices); injection,
// verification and healing run in the background so the timeline stays on
// time.
func (r *run) fire(ctx context.Context, a Action) {
	switch a.Kind {
	case ActInject:
		sg := r.build(ctx, a.Step)
		if sg == nil {
			return
		}
		r.faults.Add(1)
		go func() {
			defer r.faults.Done()
			r.inject(ctx, sg)
		}()
	case ActHeal:
		r.mu.Lock()
		sg := r.guards[a.Step]
		r.mu.Unlock()
		if sg == nil {
			return
		}
		r.faults.Add(1)
		go func() {
			defer r.faults.Done()
			r.heal(ctx, sg)
		}()
	}
}

func (r *run) faultEvent(sg *stepGuard, phase history.FaultPhase, summary string, evidence json.RawMessage) {
	r.record(&history.Event{
		Process: history.ProcessNemesis, Type: history.Fault, F: sg.step.Kind,
		Fault: &history.FaultEvent{
			ID: sg.step.ID, Kind: sg.step.Kind, Phase: phase, Targets: sg.nodes,
			Selector: sg.step.Selector, Params: sg.step.Params, Summary: summary, Evidence: evidence,
		},
	})
}

// build resolves the step's selector from the latest probes and builds its guarded fault.
func (r *run) build(ctx context.Context, i int) *stepGuard {
	ps := r.plan.Steps[i]
	r.mu.Lock()
	probes := append([]targets.Probe(nil), r.probes...)
	r.mu.Unlock()
	sg := &stepGuard{step: ps}
	nodes, err := all.Select(ps.Select, probes, r.target.Nodes(), r.rng)
	if err == nil && len(nodes) == 0 {
		err = fmt.Errorf("selector %s matched no node", ps.Selector)
	}
	if err != nil {
		r.faultEvent(sg, history.FaultError, "select: "+err.Error(), nil)
		r.progress.Logf("%s %s: select: %v", ps.ID, ps.Kind, err)
		return nil
	}
	sg.nodes = nodes
	f, err := all.New(ctx, ps.Kind, ps.Params, r.target, nodes, r.id, r.env())
	if err != nil {
		r.faultEvent(sg, history.FaultError, "build: "+err.Error(), nil)
		r.progress.Logf("%s %s on %s: %v", ps.ID, ps.Kind, strings.Join(nodes, ","), err)
		return nil
	}
	sg.guard = injectors.NewGuard(r.ledger, r.id, ps.ID, nodes, f)
	r.mu.Lock()
	r.guards[i] = sg
	r.mu.Unlock()
	return sg
}

// inject records the start, injects, then verifies the effect.
func (r *run) inject(ctx context.Context, sg *stepGuard) {
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), faultTimeout)
	defer cancel()
	on := strings.Join(sg.nodes, ",")
	r.faultEvent(sg, history.FaultStart, fmt.Sprintf("%s on %s", sg.step.Kind, on), nil)
	if err := sg.guard.Inject(ictx); err != nil {
		r.faultEvent(sg, history.FaultError, "inject: "+err.Error(), nil)
		r.progress.Logf("%s %s on %s: inject failed: %v", sg.step.ID, sg.step.Kind, on, err)
		return
	}
	if sg.step.Kind == scenarios.FaultPromote {
		// An operator action is not undone; its Recover only closes the
		// ledger record.
		if err := sg.guard.Recover(ictx); err != nil {
			r.progress.Logf("%s promote: close ledger record: %v", sg.step.ID, err)
		}
		r.faultEvent(sg, history.FaultAction, "promoted "+on, nil)
		r.progress.Logf("%s promote %s", sg.step.ID, on)
		return
	}
	r.progress.Logf("%s %s on %s: injected", sg.step.ID, sg.step.Kind, on)
	ev, err := sg.guard.Verify(ictx)
	switch {
	case err != nil:
		r.faultEvent(sg, history.FaultNoEffect, "verify: "+err.Error(), nil)
		r.progress.Logf("%s %s: effect not shown: %v", sg.step.ID, sg.step.Kind, err)
	case !ev.Held:
		r.faultEvent(sg, history.FaultNoEffect, ev.Summary, ev.Data)
		r.progress.Logf("%s %s: effect NOT shown: %s", sg.step.ID, sg.step.Kind, ev.Summary)
	default:
		r.faultEvent(sg, history.FaultEffect, ev.Summary, ev.Data)
		r.progress.Logf("%s %s: effect verified: %s", sg.step.ID, sg.step.Kind, ev.Summary)
	}
}

// heal recovers a fault (idempotent) and records it.
func (r *run) heal(ctx context.Context, sg *stepGuard) {
	if sg.guard.State() == injectors.Recovered {
		return
	}
	if err := sg.guard.RecoverDetached(ctx, faultTimeout); err != nil {
		r.faultEvent(sg, history.FaultError, "recover: "+err.Error(), nil)
		r.progress.Logf("%s %s: recover failed: %v (faultline recover --run %s)", sg.step.ID, sg.step.Kind, err, r.id)
		return
	}
	r.faultEvent(sg, history.FaultHealed, "healed", nil)
	r.progress.Logf("%s %s on %s: healed", sg.step.ID, sg.step.Kind, strings.Join(sg.nodes, ","))
}

// healAll recovers every fault still open, after the timeline.
func (r *run) healAll(ctx context.Context) {
	r.faults.Wait()
	r.mu.Lock()
	gs := append([]*stepGuard(nil), r.guards...)
	r.mu.Unlock()
	for _, sg := range gs {
		if sg != nil && sg.step.Kind != scenarios.FaultPromote {
			r.heal(ctx, sg)
		}
	}
	if r.hist != nil {
		r.mark("healed-all", "")
	}
}

// auditFaults checks that nothing injected by this run is left on the target.
func (r *run) auditFaults(ctx context.Context) {
	if r.target == nil {
		return
	}
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	left, err := all.Leftovers(actx, r.id, r.target)
	if err != nil {
		r.mark("audit", "audit failed: "+err.Error())
		return
	}
	if len(left) > 0 {
		r.mark("audit", "left behind: "+strings.Join(left, "; "))
		r.progress.Logf("audit: left behind: %s", strings.Join(left, "; "))
		return
	}
	r.mark("audit", "")
}

// activeFaults names the faults currently injected.
func (r *run) activeFaults() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, sg := range r.guards {
		if sg != nil && sg.guard.State() == injectors.Injected && sg.step.Kind != scenarios.FaultPromote {
			out = append(out, fmt.Sprintf("%s(%s)", sg.step.Kind, strings.Join(sg.nodes, ",")))
		}
	}
	return out
}
