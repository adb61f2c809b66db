package runner

import (
	"context"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/metrics"
)

// DefaultMetricsLinger is how long a run waits, after its reports are
// written, for one scrape of its final metrics.
const DefaultMetricsLinger = 15 * time.Second

// serveMetrics binds the metrics server when asked for, before anything is
// touched: a failure to bind is a harness error of its own.
func (r *run) serveMetrics() (*metrics.Server, error) {
	if r.o.MetricsAddr == "" {
		return nil, nil
	}
	r.metrics = metrics.New(metrics.Run{
		ID: r.id, Scenario: r.scn.Metadata.Name, Planned: r.plan.Duration,
		Target: r.scn.Spec.Target.Kind(), Topology: r.scn.Spec.Target.Topology(),
	})
	srv, err := metrics.Listen(r.o.MetricsAddr, r.metrics)
	if err != nil {
		return nil, err
	}
	r.progress.Logf("metrics: %s", srv.URL())
	return srv, nil
}

// stopMetrics marks the metrics final, waits (bounded) for them to be
// scraped once more (not after an interrupt), and stops serving.
func (r *run) stopMetrics(ctx context.Context, srv *metrics.Server) {
	if srv == nil {
		return
	}
	r.metrics.Finish()
	linger := r.o.MetricsLinger
	if linger == 0 {
		linger = DefaultMetricsLinger
	}
	if err := srv.Close(ctx, linger); err != nil {
		r.progress.Logf("%v", err)
	}
}

// injected reports whether a step's fault is in effect: injected, not yet
// healed, and not an action (an action is never undone).
func (r *run) injected(sg *stepGuard) bool {
	return sg.guard != nil && sg.guard.State() == injectors.Injected && !r.life(sg.step.Kind).OneShot
}
