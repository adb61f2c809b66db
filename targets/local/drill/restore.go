package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
)

func restoreKind() targets.Kind {
	return targets.Kind{
		Spelling: scenarios.Spell(scenarios.KindSpec{Name: scenarios.FaultRestore}, restoreRules),
		Life:     injectors.Lifecycle{OneShot: true, Proof: "the cluster rebuilt from the latest completed backup and healthy"},
		Build:    buildRestore,
		Rebuild:  rebuild(scenarios.FaultRestore),
	}
}

// restoreSpec is how a step spells the kind: restore: {join: ist}.
type restoreSpec struct {
	// Join: how a rebuilt cluster's other nodes join the restored one:
	// sst (default: empty, full state transfer) or ist (restored from the
	// same backup, then IST of the writes since). Galera only: replicas of
	// a replication lab always re-attach by GTID.
	Join string `json:"join,omitempty" yaml:"join,omitempty"`
}

func restoreRules(p *restoreSpec, r scenarios.Rules) {
	if p.Join != "" && p.Join != local.JoinSST && p.Join != local.JoinIST {
		r.Errorf("join", "join %q; expected sst or ist", p.Join)
	}
}

// restore rebuilds the cluster from the run's latest completed backup.
type restore struct {
	p    params
	lab  lab
	done *local.RestoreInfo
}

var (
	_ injectors.Fault    = (*restore)(nil)
	_ injectors.Verifier = (*restore)(nil)
)

func buildRestore(_ context.Context, s targets.Session, st targets.Step) (injectors.Fault, error) {
	l, err := labOf(s, scenarios.FaultRestore)
	if err != nil {
		return nil, err
	}
	var spec restoreSpec
	if err := json.Unmarshal(st.Params, &spec); err != nil {
		return nil, fmt.Errorf("restore params: %w", err)
	}
	if spec.Join == "" {
		spec.Join = local.JoinSST
	}
	return &restore{p: params{RunID: st.RunID, Join: spec.Join}, lab: l}, nil
}

func (f *restore) Kind() string            { return scenarios.FaultRestore }
func (f *restore) Params() json.RawMessage { return f.p.json() }

func (f *restore) Inject(ctx context.Context) error {
	if f.lab == nil {
		return fmt.Errorf("restore of run %s: rebuilt from the ledger, it has no lab", f.p.RunID)
	}
	ri, err := f.lab.Restore(ctx, f.p.RunID, f.p.Join)
	if err != nil {
		return err
	}
	f.done = &ri
	return nil
}

// Recover does nothing: a restore is not undone.
func (f *restore) Recover(context.Context) error { return nil }

// healthyWithin bounds how long Verify waits for the restored cluster to
// show converged while the workload runs on it.
const healthyWithin = 30 * time.Second

// Verify shows the cluster healthy again, with what was restored and how
// long each phase took. The workload is running, so a replica is judged
// caught up once it reaches where its primary stood a probe round earlier
// (targets.Settling), and the rounds go on until healthyWithin.
func (f *restore) Verify(ctx context.Context) (injectors.Evidence, error) {
	if f.done == nil {
		return injectors.Evidence{Summary: "nothing restored"}, nil
	}
	var settling targets.Settling
	deadline := time.Now().Add(healthyWithin)
	for {
		why := settling.Unhealthy(f.lab.Topology(), targets.ProbeAll(ctx, f.lab))
		if why == "" {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return injectors.Evidence{Summary: fmt.Sprintf("restored but not healthy within %s: %s", healthyWithin, why)}, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	ri := f.done
	data, _ := json.Marshal(ri)
	return injectors.Evidence{Held: true, Data: data, Summary: fmt.Sprintf(
		"%s (taken on %s at %s, lsn %d) restored onto %s (join by %s): prepare %.1fs, copy-back %.1fs, bootstrap %.1fs, join %.1fs",
		ri.Backup, ri.Taken, ri.GTID, ri.LSN, strings.Join(ri.Nodes, ","), ri.JoinBy,
		ri.Prepare.Seconds(), ri.CopyBack.Seconds(), ri.Bootstrap.Seconds(), ri.Join.Seconds())}, nil
}
