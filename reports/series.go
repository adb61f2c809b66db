package reports

import (
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"faultline.dev/faultline/history"
)

// Second is one second of the run: completions by outcome and the latency
// of the operations that completed in it.
type Second struct {
	OK, Fail, Info int64
	// Latency percentiles and maximum in ns (0 when nothing completed).
	// Latency runs from Intended when set, else from the invoke.
	P50, P95, P99, Max int64
	Samples            int64
}

// Latencies are recorded in microseconds, from 1 µs to one hour, with three
// significant digits.
const (
	latLowest  = 1
	latHighest = 3600 * 1000 * 1000
	latDigits  = 3
	// openSeconds is how far behind the newest second a second stays open
	// for late events before its percentiles are computed and its histogram
	// reused. Completions are appended close to time order, so memory stays
	// bounded whatever the run length.
	openSeconds = 10
)

// latencySeries computes per-second latency percentiles with a small,
// recycled set of HDR histograms.
type latencySeries struct {
	secs   []Second
	open   map[int64]*hdrhistogram.Histogram
	free   []*hdrhistogram.Histogram
	newest int64
}

func newLatencySeries() *latencySeries {
	return &latencySeries{open: map[int64]*hdrhistogram.Histogram{}}
}

func (l *latencySeries) second(s int64) *Second {
	for int64(len(l.secs)) <= s {
		l.secs = append(l.secs, Second{})
	}
	return &l.secs[s]
}

// count adds a completion of type t at second s.
func (l *latencySeries) count(s int64, t history.Type) {
	sec := l.second(s)
	switch t {
	case history.OK:
		sec.OK++
	case history.Fail:
		sec.Fail++
	case history.Info:
		sec.Info++
	}
}

// latency records one latency (ns) of an operation completed at second s.
func (l *latencySeries) latency(s, ns int64) {
	sec := l.second(s)
	sec.Samples++
	sec.Max = max(sec.Max, ns)
	if s < l.newest-openSeconds {
		return // later than the window: counted in Max, not in the percentiles
	}
	h := l.open[s]
	if h == nil {
		h = l.histogram()
		l.open[s] = h
	}
	_ = h.RecordValue(min(max(ns/1000, latLowest), latHighest))
	if s > l.newest {
		l.newest = s
		l.flush(s - openSeconds)
	}
}

func (l *latencySeries) histogram() *hdrhistogram.Histogram {
	if n := len(l.free); n > 0 {
		h := l.free[n-1]
		l.free = l.free[:n-1]
		return h
	}
	return hdrhistogram.New(latLowest, latHighest, latDigits)
}

// flush closes every open second before limit.
func (l *latencySeries) flush(limit int64) {
	var done []int64
	for s := range l.open {
		if s < limit {
			done = append(done, s)
		}
	}
	sort.Slice(done, func(i, j int) bool { return done[i] < done[j] })
	for _, s := range done {
		h := l.open[s]
		sec := &l.secs[s]
		sec.P50 = h.ValueAtQuantile(50) * 1000
		sec.P95 = h.ValueAtQuantile(95) * 1000
		sec.P99 = h.ValueAtQuantile(99) * 1000
		// HDR values are bucket-rounded; the exact max bounds them.
		sec.P50, sec.P95, sec.P99 = min(sec.P50, sec.Max), min(sec.P95, sec.Max), min(sec.P99, sec.Max)
		h.Reset()
		l.free = append(l.free, h)
		delete(l.open, s)
	}
}

// finish closes every second and returns the series.
func (l *latencySeries) finish(end int64) []Second {
	l.flush(1 << 62)
	if end >= 0 {
		l.second(end / 1e9)
	}
	return l.secs
}
