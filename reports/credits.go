package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"

	"faultline.dev/faultline/history"
)

// seriesCredits is the history series of a burst disk's credit balance
// (the diskBurst fault's samples).
const seriesCredits = "diskCredits"

// CreditSeries is one node's disk credit balance over a run, from the
// samples of its diskBurst fault.
type CreditSeries struct {
	Node         string
	Credits      int64 // capacity
	BaselineIOPS int64
	BurstIOPS    int64
	Points       []CreditPoint
	Lowest       float64
	RanOut       []int64 // times the balance reached 0 (the throttle fell to baseline)
	Rearmed      []int64 // times it had refilled enough to burst again
}

// CreditPoint is one sample of a balance.
type CreditPoint struct {
	Time     int64
	Balance  float64
	IOPS     float64
	Baseline bool // the baseline limit applied
}

// creditSample is the part of a diskCredits sample the report reads.
type creditSample struct {
	Balance      float64 `json:"balance"`
	Credits      int64   `json:"credits"`
	IOPS         float64 `json:"iops"`
	Limit        string  `json:"limit"`
	BaselineIOPS int64   `json:"baselineIops"`
	BurstIOPS    int64   `json:"burstIops"`
	Rewrite      bool    `json:"rewrite"`
	Err          string  `json:"err"`
}

// creditTracker folds diskCredits samples into one series per node.
type creditTracker struct{ byNode map[string]*CreditSeries }

func (c *creditTracker) add(t int64, e *history.Event) {
	var s creditSample
	if e.F != seriesCredits || json.Unmarshal(e.Value, &s) != nil || s.Err != "" {
		return
	}
	if c.byNode == nil {
		c.byNode = map[string]*CreditSeries{}
	}
	cs := c.byNode[e.Node]
	if cs == nil {
		cs = &CreditSeries{Node: e.Node, Lowest: s.Balance}
		c.byNode[e.Node] = cs
	}
	cs.Credits, cs.BaselineIOPS, cs.BurstIOPS = s.Credits, s.BaselineIOPS, s.BurstIOPS
	cs.Lowest = min(cs.Lowest, s.Balance)
	p := CreditPoint{Time: t, Balance: s.Balance, IOPS: s.IOPS, Baseline: s.Limit == "baseline"}
	switch {
	case s.Rewrite && p.Baseline:
		cs.RanOut = append(cs.RanOut, t)
	case s.Rewrite:
		cs.Rearmed = append(cs.Rearmed, t)
	}
	cs.Points = append(cs.Points, p)
}

// finish stores the series, by node name, and marks every time a balance
// ran out on the charts.
func (c *creditTracker) finish(m *Model) {
	for _, cs := range c.byNode {
		m.Credits = append(m.Credits, *cs)
		for _, t := range cs.RanOut {
			m.Marks = append(m.Marks, Mark{Time: t, Name: cs.Node + " disk credits ran out"})
		}
	}
	sort.Slice(m.Credits, func(i, j int) bool { return m.Credits[i].Node < m.Credits[j].Node })
}

var creditColors = []string{"#3b7dd8", "#e0902f", "#8e5bd0", "#2e9e5b", "#c94040"}

// creditsChart draws each node's credit balance, with fault windows shaded
// and a red line where a balance ran out; "" when no disk kept credits.
func creditsChart(m *Model) template.HTML {
	if len(m.Credits) == 0 {
		return ""
	}
	f := frame{h: 220, end: chartEnd(m)}
	var peak int64 = 1
	for _, cs := range m.Credits {
		peak = max(peak, cs.Credits)
	}
	top := niceCeil(float64(peak))
	y := func(v float64) float64 { return f.bottom() - f.plotH()*v/top }
	var s svg
	s.open("credits", "disk credit balance per node", f.h)
	s.yGrid(f, linearTicks(top), y, func(v float64) string { return fmt.Sprintf("%g", v) }, "credits")
	s.faultBands(f, m.Faults, false)
	var legend []string
	for i, cs := range m.Credits {
		color := creditColors[i%len(creditColors)]
		var pts []float64
		for _, p := range cs.Points {
			pts = append(pts, f.x(p.Time), y(p.Balance))
		}
		s.polyline("data credits", color, pts, fmt.Sprintf("%s: disk credits (of %d)", cs.Node, cs.Credits))
		for _, t := range cs.RanOut {
			fmt.Fprintf(&s.b, `<line class="ran-out" stroke="#c94040" stroke-width="1.5" stroke-dasharray="4 2" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>%s</title></line>`,
				f.x(t), padTop, f.x(t), f.bottom(), esc(fmt.Sprintf("%s: credits ran out at %s, throttle at baseline %d IOPS", cs.Node, fmtAt(t), cs.BaselineIOPS)))
		}
		legend = append(legend, cs.Node, color)
	}
	s.legend(legend...)
	s.xAxis(f)
	return s.close()
}

// mdCredits says, per node with a credit bucket, when its balance ran out.
func mdCredits(w io.Writer, m *Model) {
	if len(m.Credits) == 0 {
		return
	}
	fmt.Fprint(w, "### Disk credits\n\n| node | credits | baseline / burst IOPS | lowest balance | ran out at | burst again at |\n|---|---|---|---|---|---|\n")
	for _, cs := range m.Credits {
		fmt.Fprintf(w, "| %s | %d | %d / %d | %.0f | %s | %s |\n", mdCell(cs.Node), cs.Credits, cs.BaselineIOPS, cs.BurstIOPS,
			cs.Lowest, fmtTimes(cs.RanOut, "never"), fmtTimes(cs.Rearmed, "—"))
	}
	fmt.Fprintln(w)
}

func fmtTimes(ts []int64, none string) string {
	if len(ts) == 0 {
		return none
	}
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += fmtAt(t)
	}
	return s
}
