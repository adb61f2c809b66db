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
)

// stepGuard is a fired step: its guarded fault and the nodes it touched.
type stepGuard struct {
	step  scenarios.PlannedStep
	guard *injectors.Guard
	fault injectors.Fault
	nodes []string
}

// faultTimeout bounds one injection or heal, which runs detached from the
// run's context so a Ctrl-C never leaves a fault half-applied.
const faultTimeout = 2 * time.Minute

func (r *run) stepTimings() []StepTiming {
	ts := make([]StepTiming, len(r.plan.Steps))
	for i, s := range r.plan.Steps {
		ts[i] = StepTiming{At: s.At, Heal: !r.life(s.Kind).OneShot}
		if s.Heal != nil {
			ts[i].For = *s.Heal - s.At
		}
	}
	return ts
}

// life is the registered lifecycle of a fault kind.
func (r *run) life(kind string) injectors.Lifecycle {
	l, _ := r.faultReg.Lifecycle(kind)
	return l
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
	fe := &history.FaultEvent{
		ID: sg.step.ID, Kind: sg.step.Kind, Phase: phase, Targets: sg.nodes,
		Selector: sg.step.Selector, Params: sg.step.Params, Summary: summary, Evidence: evidence,
	}
	r.record(&history.Event{Process: history.ProcessNemesis, Type: history.Fault, F: sg.step.Kind, Fault: fe})
	r.metrics.Fault(fe, r.injected(sg))
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
	step := targets.Step{Kind: ps.Kind, Params: ps.Params, Nodes: nodes, RunID: r.id}
	if ps.Heal != nil {
		step.For = *ps.Heal - ps.At
	}
	f, err := r.faultReg.Build(ctx, r.target, step)
	if err != nil {
		r.faultEvent(sg, history.FaultError, "build: "+err.Error(), nil)
		r.progress.Logf("%s %s on %s: %v", ps.ID, ps.Kind, strings.Join(nodes, ","), err)
		return nil
	}
	sg.fault = f
	r.attachSampler(sg)
	sg.guard = injectors.NewGuard(r.ledger, r.id, ps.ID, nodes, f).On(r.target.Ref())
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
	life := r.life(sg.step.Kind)
	if life.OneShot && life.Proof == "" {
		// An action with nothing to prove (an operator's promote): done.
		r.closeOneShot(sg)
		r.faultEvent(sg, history.FaultAction, fmt.Sprintf("%s %s", sg.step.Kind, on), nil)
		r.progress.Logf("%s %s %s", sg.step.ID, sg.step.Kind, on)
		return
	}
	r.progress.Logf("%s %s on %s: injected", sg.step.ID, sg.step.Kind, on)
	r.verify(ictx, sg)
	if life.OneShot {
		r.closeOneShot(sg)
	}
}

// closeOneShot closes the ledger record of an action: it is never undone.
func (r *run) closeOneShot(sg *stepGuard) {
	if err := sg.guard.Complete(); err != nil {
		r.progress.Logf("%s %s: close ledger record: %v", sg.step.ID, sg.step.Kind, err)
	}
}

// verify asks the fault to prove its effect and records what it showed.
func (r *run) verify(ctx context.Context, sg *stepGuard) {
	ev, err := sg.guard.Verify(ctx)
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
	r.endWindow(sg) // first: a Verify waiting for the effect holds the guard
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
	r.awaitRecovery(ctx, sg)
}

// awaitRecovery waits, for a fault whose target needs time to come back
// after its heal, until it has, and reports how long that took.
func (r *run) awaitRecovery(ctx context.Context, sg *stepGuard) {
	w, ok := sg.fault.(injectors.RecoveryWaiter)
	if !ok {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), faultTimeout)
	defer cancel()
	start := time.Now()
	if err := w.WaitRecovered(wctx); err != nil {
		r.progress.Logf("%s %s: target not recovered after %.1fs: %v", sg.step.ID, sg.step.Kind, time.Since(start).Seconds(), err)
		return
	}
	r.progress.Logf("%s %s: target recovered %.1fs after the heal", sg.step.ID, sg.step.Kind, time.Since(start).Seconds())
}

// healAll recovers every fault still open, after the timeline.
func (r *run) healAll(ctx context.Context) {
	r.endWindows()
	r.faults.Wait()
	r.mu.Lock()
	gs := append([]*stepGuard(nil), r.guards...)
	r.mu.Unlock()
	for _, sg := range gs {
		if sg != nil && !r.life(sg.step.Kind).OneShot {
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
	left, err := r.target.Leftovers(actx, r.id)
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
		if sg != nil && r.injected(sg) {
			out = append(out, fmt.Sprintf("%s(%s)", sg.step.Kind, strings.Join(sg.nodes, ",")))
		}
	}
	return out
}
