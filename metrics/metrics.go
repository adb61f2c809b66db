// Package metrics exposes a run's live state as Prometheus metrics: the
// operations and their latencies, the faults and their phases, each node's
// role, reachability and measured replication lag, and the run's progress.
//
// Every value is fed from the point that writes the same fact into the
// history (the workload's recorder, the runner's probe loop and its fault
// events), so a scrape and history.jsonl agree by construction. A nil
// *Metrics is valid and records nothing: metrics are off.
package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"faultline.dev/faultline/history"
)

// LatencyBuckets are the operation latency buckets, in seconds: 0.5 ms to 30 s.
var LatencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Run names the run the metrics describe.
type Run struct {
	ID       string
	Scenario string
	Target   string // target kind: local, …
	Topology string // galera, replication
	Planned  time.Duration
}

// Metrics holds one run's collectors in a registry of its own.
type Metrics struct {
	reg *prometheus.Registry

	ops      *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	active   *prometheus.GaugeVec
	faultEvs *prometheus.CounterVec
	final    prometheus.Gauge
	finished atomic.Bool
	nodes    *nodeMetrics

	mu      sync.Mutex
	pending map[int]int64 // invoke (or intended) time by process
	clock   atomic.Pointer[func() int64]
}

// New makes the metrics of run.
func New(run Run) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), pending: map[int]int64{}}
	m.ops = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faultline_operations_total",
		Help: "Completed client operations by operation (f) and outcome (ok, fail, info), as recorded in the history.",
	}, []string{"f", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "faultline_operation_duration_seconds",
		Help:    "Latency of completed client operations, from the invoke (or its open-loop intended start) to the completion.",
		Buckets: LatencyBuckets,
	}, []string{"f", "outcome"})
	m.active = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "faultline_fault_active",
		Help: "1 while the fault of a step is injected and not yet healed, else 0.",
	}, []string{"step", "kind"})
	m.faultEvs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faultline_fault_events_total",
		Help: "Fault lifecycle events recorded in the history, by step, kind and phase.",
	}, []string{"step", "kind", "phase"})
	m.final = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "faultline_run_finished",
		Help: "1 once the run's reports are written: the values scraped from then on are final.",
	})
	m.nodes = newNodeMetrics()
	m.reg.MustRegister(m.ops, m.latency, m.active, m.faultEvs, m.final)
	m.nodes.register(m.reg)
	m.registerRun(run)
	return m
}

func (m *Metrics) registerRun(run Run) {
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "faultline_run_info",
		Help: "The run: always 1; its labels name it.",
		ConstLabels: prometheus.Labels{
			"run_id": run.ID, "scenario": run.Scenario, "target": run.Target, "topology": run.Topology,
		},
	})
	info.Set(1)
	planned := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "faultline_run_planned_duration_seconds",
		Help: "The workload's planned duration.",
	})
	planned.Set(run.Planned.Seconds())
	elapsed := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "faultline_run_elapsed_seconds",
		Help: "Time since the run's clock started (the history's time origin); 0 before.",
	}, m.elapsed)
	m.reg.MustRegister(info, planned, elapsed)
}

// Registry is the metrics' own registry (never the global default).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// StartClock sets the run's clock (ns since the run started), the time base
// of elapsed and of measured lag.
func (m *Metrics) StartClock(now func() int64) {
	if m != nil {
		m.clock.Store(&now)
	}
}

func (m *Metrics) elapsed() float64 {
	if c := m.clock.Load(); c != nil {
		return time.Duration((*c)()).Seconds()
	}
	return 0
}

// Finish marks the values as final.
func (m *Metrics) Finish() {
	if m != nil {
		m.final.Set(1)
		m.finished.Store(true)
	}
}

// Op counts one client operation event: an invoke is remembered, a
// completion counted with its latency.
func (m *Metrics) Op(e *history.Event) {
	if m == nil {
		return
	}
	switch e.Type {
	case history.Invoke:
		start := e.Time
		if e.Intended > 0 {
			start = e.Intended
		}
		m.mu.Lock()
		m.pending[e.Process] = start
		m.mu.Unlock()
	case history.OK, history.Fail, history.Info:
		m.mu.Lock()
		start, ok := m.pending[e.Process]
		delete(m.pending, e.Process)
		m.mu.Unlock()
		outcome := string(e.Type)
		m.ops.WithLabelValues(e.F, outcome).Inc()
		if ok {
			m.latency.WithLabelValues(e.F, outcome).Observe(time.Duration(max(e.Time-start, 0)).Seconds())
		}
	}
}

// Fault counts one fault event; active says whether the step's fault is
// injected after it.
func (m *Metrics) Fault(f *history.FaultEvent, active bool) {
	if m == nil || f == nil {
		return
	}
	m.faultEvs.WithLabelValues(f.ID, f.Kind, string(f.Phase)).Inc()
	v := 0.0
	if active {
		v = 1
	}
	m.active.WithLabelValues(f.ID, f.Kind).Set(v)
}

// Probes takes one round of probe samples taken at now (ns since the run
// started, the time recorded with them in the history).
func (m *Metrics) Probes(now int64, ps []history.ProbeEvent) {
	if m != nil {
		m.nodes.observe(now, ps)
	}
}

// Recorder wraps a workload recorder: each event is recorded by next, then
// counted. A nil m returns next.
func (m *Metrics) Recorder(next EventRecorder) EventRecorder {
	if m == nil {
		return next
	}
	return &recorder{next: next, m: m}
}

// EventRecorder receives a workload's events (workloads.Recorder).
type EventRecorder interface {
	Record(e *history.Event)
}

type recorder struct {
	next EventRecorder
	m    *Metrics
}

func (r *recorder) Record(e *history.Event) {
	r.next.Record(e)
	r.m.Op(e)
}
