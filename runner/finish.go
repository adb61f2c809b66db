package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/verify"
	"faultline.dev/faultline/workloads"
)

// finalRead waits (bounded) for the cluster to converge, then reads every
// node's workload data and GTID state into final.json.
func (r *run) finalRead(ctx context.Context) {
	defer r.stopProbesNow()
	limit := r.scn.Spec.Verify.Convergence.D()
	if limit <= 0 {
		limit = time.Minute
	}
	r.mark("converge", "")
	r.progress.Logf("waiting up to %v for the cluster to converge", limit)
	cctx, cancel := context.WithTimeout(ctx, limit)
	werr := r.target.WaitHealthy(cctx)
	cancel()
	final := history.Final{Workload: r.load.Kind(), Time: r.clock.Now(), Converged: werr == nil}
	if werr != nil {
		final.ConvergenceErr = werr.Error()
		r.progress.Logf("not converged: %v", werr)
	}
	r.mark("final-read", "")
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	final.Nodes = r.load.FinalRead(rctx, r.target.Nodes())
	cancel()
	if err := writeJSON(filepath.Join(r.dir, history.FileFinal), final); err != nil {
		r.progress.Logf("write final state: %v", err)
	}
}

func (r *run) stopProbesNow() {
	if r.stopProbes != nil {
		r.stopProbes()
		r.stopProbes = nil
	}
}

// conclude closes run.json, runs the checkers and renders the reports.
func (r *run) conclude(ctx context.Context) (*Result, error) {
	r.stopProbesNow()
	ended := time.Now().UTC()
	r.meta.Ended = &ended
	r.meta.Partial, r.meta.PartialReason = r.partial != "", r.partial
	if err := reports.WriteRunMeta(r.dir, r.meta); err != nil {
		return nil, err
	}
	res := &Result{Dir: r.dir, RunID: r.id, Seed: r.seed, Partial: r.partial != ""}
	vs, err := Check(ctx, r.dir, r.faultReg.Spellings()...)
	if err != nil {
		return res, fmt.Errorf("check: %w", err)
	}
	res.Verdicts = vs
	res.Status, res.ExitCode, err = Render(r.dir)
	return res, err
}

// Render writes every report of a run directory and returns the run's
// verdict and exit code as result.json states them: the worst of the checks,
// and at best unknown when the run is partial or a fault had no effect.
func Render(dir string) (verify.Status, int, error) {
	m, err := reports.Load(dir)
	if err != nil {
		return verify.Unknown, reports.ExitCode(verify.Unknown), fmt.Errorf("load run: %w", err)
	}
	if err := m.RenderAll(); err != nil {
		return verify.Unknown, reports.ExitCode(verify.Unknown), fmt.Errorf("render reports: %w", err)
	}
	res := m.Result()
	md, err := os.ReadFile(filepath.Join(dir, history.FileSummary))
	if err == nil {
		err = reports.AppendStepSummary(md)
	}
	if err != nil {
		return res.Verdict, res.ExitCode, fmt.Errorf("step summary: %w", err)
	}
	return res.Verdict, res.ExitCode, nil
}

// Check runs the scenario's checkers over a run directory and writes
// verdicts.json. It reads only the run directory; kinds are the fault kinds
// registered beside the built-in ones that its scenario may hold
// (providers.Set.Spellings).
func Check(ctx context.Context, dir string, kinds ...scenarios.KindSpec) ([]verify.Verdict, error) {
	src, err := os.ReadFile(filepath.Join(dir, history.FileScenario))
	if err != nil {
		return nil, err
	}
	s, err := scenarios.LoadWith(filepath.Join(dir, history.FileScenario), src, kinds)
	if err != nil {
		return nil, err
	}
	events, err := history.ReadAll(filepath.Join(dir, history.FileHistory))
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	in := &verify.Input{Events: events, Dir: dir, Model: s.Spec.Verify.Model,
		BankTotal: workloads.BankTotal(s.Spec.Workload), Thresholds: thresholds(s.Spec.Verify)}
	if s.Spec.Workload.Kind == scenarios.WorkloadRegister {
		initial := int64(workloads.RegisterInitial)
		in.RegisterInitial = &initial
	}
	var final history.Final
	switch b, err := os.ReadFile(filepath.Join(dir, history.FileFinal)); {
	case err == nil:
		if err := json.Unmarshal(b, &final); err != nil {
			return nil, fmt.Errorf("read final state: %w", err)
		}
		in.Final = &final
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	timeout := s.Spec.Verify.Timeout.D()
	if timeout <= 0 {
		timeout = time.Minute
	}
	vs := verify.RunAll(ctx, in, verify.Checkers(s.Spec.Workload.Kind, s.Spec.Verify.Checks), timeout)
	return vs, writeJSON(filepath.Join(dir, history.FileVerdicts), vs)
}

func thresholds(v scenarios.Verify) verify.Thresholds {
	d := func(p *scenarios.Duration) *time.Duration {
		if p == nil {
			return nil
		}
		x := p.D()
		return &x
	}
	return verify.Thresholds{RPO: d(v.RPO), RTO: d(v.RTO), HealRTO: d(v.HealRTO), TimestampOrder: v.TimestampOrder}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
