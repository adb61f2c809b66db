package workloads

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// Recorder receives every event of the pool's clients, from many
// goroutines at once. It owns the event once called.
type Recorder interface {
	Record(e *history.Event)
}

// NopRecorder records nothing (history recording switched off).
type NopRecorder struct{}

// Record drops e.
func (NopRecorder) Record(*history.Event) {}

// Config configures a Pool.
type Config struct {
	Nodes     []targets.Node // the target's nodes, in order
	Clients   int
	Rate      float64 // total operations per second; 0 = unlimited
	OpenLoop  bool
	OpTimeout time.Duration
	// Routing is RoutePrimary, RouteAny or a node name.
	Routing string
	// Router tells the primary (needed for RoutePrimary) and the nodes
	// probes saw down. Nil: a router that knows no primary.
	Router   *Router
	Recorder Recorder     // nil = NopRecorder
	Clock    func() int64 // ns since run start, monotonic; nil = since NewPool
}

// ConfigFor is the pool configuration of scenario workload w (defaults
// applied) on nodes.
func ConfigFor(w scenarios.Workload, nodes []targets.Node, router *Router, rec Recorder, clock func() int64) Config {
	w = WithDefaults(w)
	return Config{
		Nodes: nodes, Clients: w.Clients, Rate: float64(w.Rate), OpenLoop: w.OpenLoop,
		OpTimeout: w.OpTimeout.D(), Routing: w.Routing,
		Router: router, Recorder: rec, Clock: clock,
	}
}

// Pool runs a workload's clients.
type Pool struct {
	cfg   Config
	w     Workload
	pace  *pacer
	lat   *latencies
	base  time.Time // wall-clock anchor of cfg.Clock's zero
	baseT int64
}

// NewPool checks cfg and returns a pool of w's clients.
func NewPool(w Workload, cfg Config) (*Pool, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	if cfg.Recorder == nil {
		cfg.Recorder = NopRecorder{}
	}
	if cfg.Router == nil {
		cfg.Router = NewRouter()
	}
	if cfg.Clock == nil {
		start := time.Now()
		cfg.Clock = func() int64 { return int64(time.Since(start)) }
	}
	p := &Pool{cfg: cfg, w: w, lat: newLatencies()}
	p.pace = newPacer(cfg.Rate, cfg.OpenLoop, cfg.OpTimeout)
	// The run's clock first, then the wall clock: a slot's intended start
	// then never lies after the clock at that slot (the gap between the two
	// readings makes it earlier, not later than the invoke it schedules).
	p.baseT = cfg.Clock()
	p.base = time.Now()
	return p, nil
}

func checkConfig(cfg *Config) error {
	var errs []error
	if len(cfg.Nodes) == 0 {
		errs = append(errs, errors.New("pool: no nodes"))
	}
	if cfg.Clients < 1 {
		errs = append(errs, fmt.Errorf("pool: clients must be at least 1, got %d", cfg.Clients))
	}
	if cfg.Rate < 0 {
		errs = append(errs, fmt.Errorf("pool: negative rate %v", cfg.Rate))
	}
	if cfg.OpTimeout <= 0 {
		cfg.OpTimeout = DefaultOpTimeout
	}
	switch cfg.Routing {
	case "":
		cfg.Routing = RoutePrimary
	case RoutePrimary, RouteAny:
	default:
		if _, ok := nodeNamed(cfg.Nodes, cfg.Routing); !ok {
			errs = append(errs, fmt.Errorf("pool: routing %q is neither primary, any nor a node name", cfg.Routing))
		}
	}
	return errors.Join(errs...)
}

func nodeNamed(nodes []targets.Node, name string) (targets.Node, bool) {
	for _, n := range nodes {
		if n.Name == name {
			return n, true
		}
	}
	return targets.Node{}, false
}

// Run runs every client until d has passed or ctx ends, then waits until
// each client's operation in flight has completed and been recorded. An
// operation cut off by ctx ending is recorded as info if its request may
// have been sent. Run returns ctx's error if ctx ended first.
func (p *Pool) Run(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for id := range p.cfg.Clients {
		c := newClient(p, id)
		wg.Go(func() { c.run(ctx, end) })
	}
	wg.Wait()
	return ctx.Err()
}

// Stats returns the live per-second statistics.
func (p *Pool) Stats() Stats {
	return p.lat.snapshot(p.pace.Dropped())
}

// at converts a wall-clock instant (with its monotonic reading) to ns on
// the run clock.
func (p *Pool) at(t time.Time) int64 {
	return p.baseT + int64(t.Sub(p.base))
}
