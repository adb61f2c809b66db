package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/metrics"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/verify"
	"faultline.dev/faultline/workloads"
)

// Options configure one run.
type Options struct {
	Scenario *scenarios.Scenario
	Source   []byte // the scenario file as written, kept in the run directory
	Seed     int64  // 0 = the scenario's seed, else a new one (printed)
	OutDir   string // parent of run directories; default "runs"
	StateDir string // ledger and lab state; default injectors.StateDir()
	Keep     bool   // leave the target up after the run
	// Providers supply the scenario's target kind (the CLI passes
	// providers.Default()); the runner knows no concrete target.
	Providers targets.Providers
	Out       io.Writer
	Quiet     bool
	// ProbeInterval is the period of topology probes; default 500 ms.
	ProbeInterval time.Duration
	// Load makes the run's workload; default SQLLoad.
	Load LoadFactory
	// Ledger records faults before they are injected; default the file
	// ledger in StateDir.
	Ledger injectors.Ledger
	// MetricsAddr, when set, is the host:port where the run serves
	// Prometheus metrics from before the target comes up until its reports
	// are written.
	MetricsAddr string
	// MetricsLinger bounds the wait for a scrape of the final metrics
	// after the reports; 0 = DefaultMetricsLinger, negative = no wait.
	MetricsLinger time.Duration
}

// Result is what a run concluded.
type Result struct {
	Dir      string
	RunID    string
	Seed     int64
	Status   verify.Status
	ExitCode int
	Partial  bool
	Verdicts []verify.Verdict
}

// run is the state of one run; its methods are the phases, in order.
type run struct {
	o         Options
	scn       *scenarios.Scenario
	plan      *scenarios.Plan
	id        string
	dir       string
	seed      int64
	rng       *rand.Rand
	clock     *history.Clock
	workStart int64 // the clock at the workload's start
	hist      *history.Writer
	meta      *reports.RunMeta
	provider  targets.Provider
	faultReg  *targets.Registry // the provider's fault kinds, their lifecycles and builders
	target    targets.Session
	load      Load
	rec       *workloads.WriterRecorder
	router    *workloads.Router
	ledger    injectors.Ledger
	progress  *Progress
	metrics   *metrics.Metrics // nil: metrics off

	mu      sync.Mutex
	probes  []targets.Probe
	guards  []*stepGuard // by step index; nil until fired
	partial string       // why the run is partial ("" = complete)

	faults     sync.WaitGroup // injections and heals in flight
	stopProbes func()
}

// Run executes a scenario end to end and renders its reports. An error means
// the harness failed (exit 3); otherwise Result carries the verdict. When ctx
// is cancelled (Ctrl-C) every fault is healed first, then the lab is torn
// down, and a partial report is written.
func Run(ctx context.Context, o Options) (*Result, error) {
	r, err := newRun(o)
	if err != nil {
		return nil, err
	}
	srv, err := r.serveMetrics()
	if err != nil {
		return nil, err
	}
	defer r.stopMetrics(ctx, srv)
	return r.execute(ctx)
}

func newRun(o Options) (*run, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.OutDir == "" {
		o.OutDir = "runs"
	}
	if o.StateDir == "" {
		o.StateDir = injectors.StateDir()
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = 500 * time.Millisecond
	}
	s := o.Scenario
	seed := o.Seed
	if seed == 0 {
		seed = s.Spec.Seed
	}
	if seed == 0 {
		seed = scenarios.NewSeed()
	}
	prov, err := providerFor(o.Providers, s)
	if err != nil {
		return nil, err
	}
	start := time.Now().UTC()
	id := fmt.Sprintf("%s-%s", s.Metadata.Name, start.Format("20060102T150405Z"))
	r := &run{
		o: o, scn: s, id: id, seed: seed,
		dir:      filepath.Join(o.OutDir, id),
		plan:     scenarios.NewPlan(s, seed),
		rng:      rand.New(rand.NewSource(seed)),
		progress: NewProgress(o.Out, o.Quiet),
		provider: prov,
		faultReg: prov.Faults(o.StateDir),
	}
	r.guards = make([]*stepGuard, len(r.plan.Steps))
	return r, nil
}

func (r *run) execute(ctx context.Context) (*Result, error) {
	if err := r.prepareDir(); err != nil {
		return nil, err
	}
	r.progress.Logf("run %s (seed %d) → %s", r.id, r.seed, r.dir)
	err := r.drive(ctx)
	if targets.IsRefusal(err) && r.target == nil {
		return nil, r.discard(err)
	}
	if ctx.Err() != nil && r.partial == "" {
		r.partial = "interrupted: " + context.Cause(ctx).Error()
	}
	// Whatever happened: heal, read, tear down, check and report.
	cleanup := context.WithoutCancel(ctx)
	r.healAll(cleanup)
	r.auditFaults(cleanup)
	if r.target != nil && err == nil && ctx.Err() == nil {
		r.finalRead(cleanup)
	}
	r.collectLogs(cleanup)
	r.tearDown(cleanup)
	if r.hist != nil {
		if cerr := r.hist.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close history: %w", cerr)
		}
	}
	if err != nil && r.partial == "" {
		r.partial = "harness error: " + err.Error()
	}
	res, rerr := r.conclude(cleanup)
	if err != nil {
		return res, err
	}
	return res, rerr
}

// drive brings the target up and runs workload, probes and faults.
func (r *run) drive(ctx context.Context) error {
	if r.ledger = r.o.Ledger; r.ledger == nil {
		l, err := injectors.OpenLedger(r.o.StateDir)
		if err != nil {
			return fmt.Errorf("fault ledger: %w", err)
		}
		r.ledger = l
	}
	if err := r.up(ctx); err != nil {
		return err
	}
	if err := r.setupWorkload(ctx); err != nil {
		return err
	}
	return r.runTimeline(ctx)
}

// discard removes the run directory of a run its target refused before
// anything was touched, and returns the refusal.
func (r *run) discard(refusal error) error {
	if r.hist != nil {
		_ = r.hist.Close()
	}
	if err := os.RemoveAll(r.dir); err != nil {
		return errors.Join(refusal, err)
	}
	r.progress.Logf("refused before anything was touched: no run, run directory removed")
	return refusal
}

func (r *run) prepareDir() error {
	if err := os.MkdirAll(filepath.Join(r.dir, history.DirLogs), 0o755); err != nil {
		return fmt.Errorf("create run directory: %w", err)
	}
	files := map[string][]byte{
		history.FileScenario: r.o.Source,
		history.FileSeed:     []byte(fmt.Sprintf("%d\n", r.seed)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(r.dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	f, err := os.Create(filepath.Join(r.dir, history.FilePlan))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := r.plan.WriteJSON(f); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	r.meta = newMeta(r)
	if err := reports.WriteRunMeta(r.dir, r.meta); err != nil {
		return err
	}
	r.clock = history.NewClock()
	r.metrics.StartClock(r.clock.Now)
	r.hist, err = history.Create(filepath.Join(r.dir, history.FileHistory))
	return err
}

// mark records a run milestone.
func (r *run) mark(name, detail string) {
	r.record(&history.Event{Process: history.ProcessRunner, Type: history.Mark, F: name, Err: detail})
}

func (r *run) record(e *history.Event) {
	if e.Time == 0 {
		e.Time = r.clock.Now()
	}
	if err := r.hist.Write(e); err != nil && !errors.Is(err, history.ErrClosed) {
		r.progress.Logf("history write: %v", err)
	}
}
