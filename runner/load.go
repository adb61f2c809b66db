package runner

import (
	"context"
	"fmt"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/workloads"
)

// Load is the workload as the runner drives it: the schema, the clients that
// record every operation, their live statistics and the final read. The
// default is workloads' SQL clients; the runner's own tests drive a
// simulated cluster through the same interface.
type Load interface {
	Kind() string
	// Setup creates the schema through a writable node and waits until
	// every node has it.
	Setup(ctx context.Context, writable targets.Node, nodes []targets.Node) error
	// Run drives the clients for d, or until ctx ends.
	Run(ctx context.Context, d time.Duration) error
	// Stats is the clients' progress so far.
	Stats() workloads.Stats
	// FinalRead reads what every node holds.
	FinalRead(ctx context.Context, nodes []targets.Node) []history.FinalNode
}

// LoadEnv is what a load needs from the run.
type LoadEnv struct {
	Workload scenarios.Workload
	Seed     int64
	Nodes    []targets.Node
	Router   *workloads.Router    // routes clients by the latest probes
	Recorder workloads.Recorder   // the history
	Clock    func() int64         // ns since the run started
	Target   targets.Session      // the target under test
	Logf     func(string, ...any) // progress lines
}

// LoadFactory makes the load of a run.
type LoadFactory func(env LoadEnv) (Load, error)

// SQLLoad is the default load: the scenario's workload over SQL sessions
// to every node.
func SQLLoad(env LoadEnv) (Load, error) {
	w, err := workloads.New(env.Workload, env.Seed)
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	return &sqlLoad{w: w, env: env}, nil
}

type sqlLoad struct {
	w    workloads.Workload
	env  LoadEnv
	pool *workloads.Pool
}

func (l *sqlLoad) Kind() string { return l.w.Kind() }

func (l *sqlLoad) Setup(ctx context.Context, node targets.Node, nodes []targets.Node) error {
	db, err := node.OpenDB("", 10*time.Second)
	if err != nil {
		return err
	}
	defer db.Close()
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := l.w.Setup(sctx, db); err != nil {
		return fmt.Errorf("workload %s setup on %s: %w", l.w.Kind(), node.Name, err)
	}
	if err := workloads.WaitReady(ctx, l.w, nodes, time.Minute); err != nil {
		return fmt.Errorf("workload %s: schema did not reach every node: %w", l.w.Kind(), err)
	}
	cfg := workloads.ConfigFor(l.env.Workload, nodes, l.env.Router, l.env.Recorder, l.env.Clock)
	l.pool, err = workloads.NewPool(l.w, cfg)
	if err != nil {
		return fmt.Errorf("workload pool: %w", err)
	}
	return nil
}

func (l *sqlLoad) Run(ctx context.Context, d time.Duration) error { return l.pool.Run(ctx, d) }

func (l *sqlLoad) Stats() workloads.Stats { return l.pool.Stats() }

func (l *sqlLoad) FinalRead(ctx context.Context, nodes []targets.Node) []history.FinalNode {
	return workloads.FinalReadAll(ctx, l.w, nodes)
}
