package workloads

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/montanaflynn/stats"

	"faultline.dev/faultline/history"
)

// Latencies are kept in microseconds from 1 µs to maxLatency, with two
// significant digits (≈1 % error, a few KiB per histogram).
const (
	maxLatencyUS = int64(10 * time.Minute / time.Microsecond)
	sigFigs      = 2
	window       = time.Second
)

// Window is one second of completions: counts by outcome and the latency
// distribution (intended or actual start to completion) of its operations.
type Window struct {
	Start int64         `json:"start"` // ns since run start
	OK    int64         `json:"ok"`
	Fail  int64         `json:"fail"`
	Info  int64         `json:"info"`
	P50   time.Duration `json:"p50"`
	P95   time.Duration `json:"p95"`
	P99   time.Duration `json:"p99"`
	Max   time.Duration `json:"max"`
}

// Stats is the live progress of a pool.
type Stats struct {
	Windows []Window `json:"windows"` // closed windows, oldest first, then the open one
	Total   Window   `json:"total"`   // the whole run
	Dropped int64    `json:"dropped"` // open-loop slots dropped for lateness
	// OKRate summarises the per-window ok counts (ops/s) of closed windows.
	OKRate RateSummary `json:"okRate"`
}

// RateSummary describes per-second throughput.
type RateSummary struct {
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"`
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
}

// recorder of latencies: one live histogram for the open window, frozen
// summaries for the closed ones, and one histogram for the whole run. Its
// memory does not grow with the number of operations.
type latencies struct {
	mu     sync.Mutex
	closed []Window
	cur    Window
	hist   *hdrhistogram.Histogram
	all    *hdrhistogram.Histogram
	counts Window
}

func newLatencies() *latencies {
	return &latencies{
		hist: hdrhistogram.New(1, maxLatencyUS, sigFigs),
		all:  hdrhistogram.New(1, maxLatencyUS, sigFigs),
	}
}

// add records one completion at time t (ns since run start).
func (l *latencies) add(t int64, typ history.Type, lat time.Duration) {
	us := min(max(int64(lat/time.Microsecond), 1), maxLatencyUS)
	start := t - t%int64(window)
	l.mu.Lock()
	defer l.mu.Unlock()
	if start > l.cur.Start {
		l.roll(start)
	}
	count(&l.cur, typ)
	count(&l.counts, typ)
	l.hist.RecordValue(us)
	l.all.RecordValue(us)
}

func count(w *Window, typ history.Type) {
	switch typ {
	case history.OK:
		w.OK++
	case history.Fail:
		w.Fail++
	case history.Info:
		w.Info++
	}
}

// roll closes the open window (and empty ones up to start).
func (l *latencies) roll(start int64) {
	l.closed = append(l.closed, summarize(l.cur, l.hist))
	for s := l.cur.Start + int64(window); s < start; s += int64(window) {
		l.closed = append(l.closed, Window{Start: s})
	}
	l.hist.Reset()
	l.cur = Window{Start: start}
}

func summarize(w Window, h *hdrhistogram.Histogram) Window {
	if h.TotalCount() == 0 {
		return w
	}
	us := func(q float64) time.Duration { return time.Duration(h.ValueAtQuantile(q)) * time.Microsecond }
	w.P50, w.P95, w.P99 = us(50), us(95), us(99)
	w.Max = time.Duration(h.Max()) * time.Microsecond
	return w
}

func (l *latencies) snapshot(dropped int64) Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	ws := make([]Window, 0, len(l.closed)+1)
	ws = append(ws, l.closed...)
	ws = append(ws, summarize(l.cur, l.hist))
	return Stats{
		Windows: ws,
		Total:   summarize(l.counts, l.all),
		Dropped: dropped,
		OKRate:  rateSummary(l.closed),
	}
}

func rateSummary(ws []Window) RateSummary {
	if len(ws) == 0 {
		return RateSummary{}
	}
	data := make(stats.Float64Data, len(ws))
	for i, w := range ws {
		data[i] = float64(w.OK)
	}
	var r RateSummary
	r.Mean, _ = data.Mean()
	r.StdDev, _ = data.StandardDeviation()
	r.Min, _ = data.Min()
	r.Median, _ = data.Median()
	return r
}
