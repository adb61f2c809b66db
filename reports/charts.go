package reports

import (
	"fmt"
	"html/template"
	"math"
)

// chartEnd is the right edge of every chart, so they line up: the end of
// the history or of its last whole second.
func chartEnd(m *Model) int64 {
	return max(m.End, int64(len(m.Seconds))*1e9, 1)
}

// buckets groups the per-second series into at most maxBuckets buckets.
func buckets(secs []Second) (per int, n int) {
	per = max(1, (len(secs)+maxBuckets-1)/maxBuckets)
	return per, (len(secs) + per - 1) / per
}

// throughputChart draws completions per second, stacked ok / info / fail,
// with fault windows shaded.
func throughputChart(m *Model) template.HTML {
	f := frame{h: 240, end: chartEnd(m)}
	per, n := buckets(m.Seconds)
	type bucket struct{ ok, info, fail float64 }
	bs := make([]bucket, n)
	peak := 1.0
	for i, s := range m.Seconds {
		b := &bs[i/per]
		b.ok += float64(s.OK) / float64(per)
		b.info += float64(s.Info) / float64(per)
		b.fail += float64(s.Fail) / float64(per)
		peak = max(peak, b.ok+b.info+b.fail)
	}
	top := niceCeil(peak)
	y := func(v float64) float64 { return f.bottom() - f.plotH()*v/top }
	var s svg
	s.open("throughput", "completions per second: ok, info, fail", f.h)
	s.yGrid(f, linearTicks(top), y, func(v float64) string { return fmt.Sprintf("%g", v) }, "ops/s")
	s.faultBands(f, m.Faults, true)
	bw := f.x(int64(per)*1e9) - f.x(0)
	if bw >= 3 { // a gap between wide bars; thin ones overlap, or they band
		bw -= min(1.5, bw*0.1)
	} else {
		bw += 0.6
	}
	for i, b := range bs {
		x := f.x(int64(i*per) * 1e9)
		title := fmt.Sprintf("%s: %.0f ok, %.0f info, %.0f fail per second", fmtAt(int64(i*per)*1e9), b.ok, b.info, b.fail)
		base := 0.0
		for _, part := range []struct {
			class string
			v     float64
		}{{"data ok", b.ok}, {"data info", b.info}, {"data fail", b.fail}} {
			if part.v > 0 {
				s.rect(part.class, x, y(base+part.v), bw, y(base)-y(base+part.v), "", title)
			}
			base += part.v
		}
	}
	s.marks(f, m.Marks)
	s.xAxis(f)
	return s.close()
}

// latencyLine is one line of the latency chart.
type latencyLine struct {
	name, color string
	get         func(Second) int64
}

var latencyLines = []latencyLine{
	{"p50", "#3b7dd8", func(s Second) int64 { return s.P50 }},
	{"p95", "#8e5bd0", func(s Second) int64 { return s.P95 }},
	{"p99", "#e0902f", func(s Second) int64 { return s.P99 }},
	{"max", "#c94040", func(s Second) int64 { return s.Max }},
}

// latencyChart draws per-second p50/p95/p99/max latency on a log scale
// from 100 µs to the power of ten above the worst latency, with fault
// windows shaded.
func latencyChart(m *Model) template.HTML {
	f := frame{h: 260, end: chartEnd(m)}
	var peak int64 = 1e6
	for _, s := range m.Seconds {
		peak = max(peak, s.Max)
	}
	lo, hi := 5.0, math.Ceil(math.Log10(float64(peak)))
	y := func(ns float64) float64 {
		v := math.Log10(max(ns, math.Pow(10, lo)))
		return f.bottom() - f.plotH()*(v-lo)/(hi-lo)
	}
	var s svg
	s.open("latency", "latency per second: p50, p95, p99, max (log scale)", f.h)
	var ticks []float64
	for e := lo; e <= hi; e++ {
		ticks = append(ticks, math.Pow(10, e))
	}
	s.yGrid(f, ticks, y, func(v float64) string { return fmtDur(int64(v)) }, "latency")
	s.faultBands(f, m.Faults, true)
	var legend []string
	for _, l := range latencyLines {
		s.latencyLine(f, m.Seconds, l, y)
		legend = append(legend, l.name, l.color)
	}
	s.legend(legend...)
	s.marks(f, m.Marks)
	s.xAxis(f)
	return s.close()
}

// latencyLine draws one percentile as polylines, broken where nothing
// completed.
func (s *svg) latencyLine(f frame, secs []Second, l latencyLine, y func(float64) float64) {
	per, n := buckets(secs)
	half := (f.x(int64(per)*1e9) - f.x(0)) / 2
	var pts []float64
	flush := func() {
		if len(pts) > 0 {
			s.polyline("data "+l.name, l.color, pts, l.name)
		}
		pts = nil
	}
	for i := range n {
		v, ok := bucketMax(secs, i*per, per, l.get)
		if !ok {
			flush()
			continue
		}
		x := f.x(int64(i*per)*1e9) + half
		pts = append(pts, x, y(float64(v)))
		if len(pts) == 2 { // a lone point still needs a visible segment
			pts = append(pts, x+0.5, y(float64(v)))
		}
	}
	flush()
}

// bucketMax is the largest value of get over seconds [from, from+per) that had samples.
func bucketMax(secs []Second, from, per int, get func(Second) int64) (int64, bool) {
	var v int64
	ok := false
	for i := from; i < min(from+per, len(secs)); i++ {
		if secs[i].Samples > 0 {
			v, ok = max(v, get(secs[i])), true
		}
	}
	return v, ok
}

func (s *svg) yGrid(f frame, ticks []float64, y func(float64) float64, label func(float64) string, unit string) {
	for _, t := range ticks {
		s.line("grid", padLeft, y(t), chartW-padRight, y(t))
		s.text("tick-label", padLeft-6, y(t)+4, "end", label(t))
	}
	s.text("axis-label", 4, padTop-8, "start", unit)
}

func (s *svg) legend(pairs ...string) {
	x := chartW - padRight - 60*float64(len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&s.b, `<rect class="legend" x="%.1f" y="4" width="10" height="10" fill="%s"/>`, x, pairs[i+1])
		s.text("legend-label", x+14, 13, "start", pairs[i])
		x += 60
	}
}

func linearTicks(top float64) []float64 {
	step := top / 4
	return []float64{0, step, 2 * step, 3 * step, top}
}

// niceCeil rounds v up to 1, 2, 2.5, 4, 5 or 8 × 10^k, so four ticks are round.
func niceCeil(v float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 4, 8, 10} {
		if m*mag >= v {
			return m * mag
		}
	}
	return 10 * mag
}
