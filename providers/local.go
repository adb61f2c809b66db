package providers

import (
	"context"
	"fmt"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/all"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/drill"
)

// KindLocal is the embedded lab's target kind.
const KindLocal = scenarios.TargetLocal

// Local provides the embedded lab: real mariadbd nodes in network
// namespaces on this machine, faults applied in-process.
type Local struct {
	// LatencyMethod forces netem or nfqueue; "" = the host's best.
	LatencyMethod string
}

var _ targets.Provider = Local{}

// Kind is "local".
func (Local) Kind() string { return KindLocal }

// Open brings the scenario's lab up and waits until it is healthy.
func (p Local) Open(ctx context.Context, s *scenarios.Scenario, o targets.OpenOptions) (targets.Session, error) {
	if s.Spec.Target.Local == nil {
		return nil, fmt.Errorf("local provider: the scenario has no local target")
	}
	cfg := LocalConfig(s, o.StateDir)
	logf(o, "lab %s: bringing up %d-node %s", cfg.Name, cfg.Nodes, cfg.Topology)
	start := time.Now()
	lab, err := local.Up(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	logf(o, "lab %s: up in %.1fs", cfg.Name, time.Since(start).Seconds())
	return &labSession{Lab: lab, stateDir: o.StateDir, env: p.env(o.StateDir)}, nil
}

// Faults is every kind the lab can inject, rebuilding faults that restart
// nodes by reopening their lab from the state directory they recorded.
func (p Local) Faults(stateDir string) *targets.Registry {
	r := targets.NewRegistry(all.NewRegistry(p.env(stateDir)))
	r.Register(all.DiskBurstKind())
	for _, k := range drill.Kinds() { // disaster, restore
		r.Register(k)
	}
	return r
}

func (p Local) env(stateDir string) all.Env {
	return all.Env{StateDir: stateDir, Open: openLab, LatencyMethod: p.LatencyMethod}
}

func openLab(_ context.Context, lab, stateDir string) (targets.Machine, error) {
	return local.Open(lab, stateDir)
}

func logf(o targets.OpenOptions, format string, a ...any) {
	if o.Logf != nil {
		o.Logf(format, a...)
	}
}

// LocalConfig is the lab configuration of a scenario's local target.
func LocalConfig(s *scenarios.Scenario, stateDir string) local.Config {
	lt := s.Spec.Target.Local
	return local.Config{
		Name:            scenarios.LabName(s),
		Topology:        lt.Topology,
		Nodes:           lt.Nodes,
		Zones:           lt.Zones,
		Subnet:          lt.Subnet,
		ServerOptions:   lt.ServerOptions,
		NodeOptions:     lt.NodeOptions,
		ProviderOptions: lt.ProviderOptions,
		SemiSync:        lt.SemiSync == nil || *lt.SemiSync,
		SemiSyncTimeout: lt.SemiSyncTimeout.D(),
		Faketime:        lt.Faketime == nil || *lt.Faketime,
		DiskFaults:      lt.DiskFaults,
		DiskSize:        int64(lt.DiskSize),
		StateDir:        stateDir,
	}
}

// labSession is a lab brought up for one run.
type labSession struct {
	*local.Lab
	stateDir string
	env      all.Env
}

var _ targets.Session = (*labSession)(nil)

func (l *labSession) Ref() targets.Ref {
	return targets.Ref{Kind: KindLocal, Name: l.Name(), StateDir: l.stateDir}
}

func (l *labSession) BuildFault(ctx context.Context, st targets.Step) (injectors.Fault, error) {
	return all.New(ctx, st.Kind, st.Params, l.Lab, st.Nodes, st.RunID, l.env)
}

func (l *labSession) Leftovers(ctx context.Context, runID string) ([]string, error) {
	return all.Leftovers(ctx, runID, l.Lab)
}

func (l *labSession) CollectLogs(_ context.Context, dir string) error { return l.Logs(dir) }

func (l *labSession) Versions(ctx context.Context) targets.Versions {
	return targets.AskVersions(ctx, l.Nodes())
}

func (l *labSession) Close(ctx context.Context, keep bool) (string, error) {
	if keep {
		return fmt.Sprintf("lab %s kept (--keep); remove it with: faultline lab down %s\n%s", l.Name(), l.Name(), l.ConnectInfo()), nil
	}
	if err := l.Down(ctx); err != nil {
		return "", fmt.Errorf("lab down: %w (run `faultline lab down --all`)", err)
	}
	return "", nil
}
