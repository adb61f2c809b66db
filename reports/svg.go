package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Chart geometry in SVG user units; the SVG scales to the page width.
const (
	chartW    = 960.0
	padLeft   = 64.0
	padRight  = 16.0
	padTop    = 22.0
	padBottom = 28.0
	// maxBuckets bounds the data elements of a chart: long runs are drawn
	// with several seconds per bucket.
	maxBuckets = 600
)

// frame maps run time (ns) and a value range onto a plot area.
type frame struct {
	h   float64 // total height
	end int64   // ns at the right edge
}

func (f frame) plotW() float64  { return chartW - padLeft - padRight }
func (f frame) plotH() float64  { return f.h - padTop - padBottom }
func (f frame) bottom() float64 { return f.h - padBottom }

// x maps ns since run start to a horizontal position.
func (f frame) x(ns int64) float64 {
	if f.end <= 0 {
		return padLeft
	}
	return padLeft + f.plotW()*float64(ns)/float64(f.end)
}

// svg accumulates SVG markup.
type svg struct{ b strings.Builder }

func (s *svg) open(class, label string, h float64) {
	fmt.Fprintf(&s.b, `<svg class="chart %s" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
		class, esc(label), chartW, h)
}

func (s *svg) close() template.HTML {
	s.b.WriteString("</svg>")
	return template.HTML(s.b.String()) // #nosec: every text was escaped with esc
}

func (s *svg) rect(class string, x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect class="%s" x="%.1f" y="%.1f" width="%.2f" height="%.1f"`, class, x, y, max(w, 0.6), max(h, 0))
	if fill != "" {
		fmt.Fprintf(&s.b, ` fill="%s"`, fill)
	}
	if title == "" {
		s.b.WriteString("/>")
		return
	}
	fmt.Fprintf(&s.b, `><title>%s</title></rect>`, esc(title))
}

func (s *svg) line(class string, x1, y1, x2, y2 float64) {
	fmt.Fprintf(&s.b, `<line class="%s" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, class, x1, y1, x2, y2)
}

func (s *svg) text(class string, x, y float64, anchor, t string) {
	fmt.Fprintf(&s.b, `<text class="%s" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, class, x, y, anchor, esc(t))
}

func (s *svg) polyline(class, stroke string, pts []float64, title string) {
	fmt.Fprintf(&s.b, `<polyline class="%s" fill="none" stroke="%s" points="`, class, stroke)
	for i := 0; i+1 < len(pts); i += 2 {
		fmt.Fprintf(&s.b, "%.1f,%.1f ", pts[i], pts[i+1])
	}
	fmt.Fprintf(&s.b, `"><title>%s</title></polyline>`, esc(title))
}

func esc(s string) string { return html.EscapeString(s) }

// xAxis draws the time axis with round ticks.
func (s *svg) xAxis(f frame) {
	s.line("axis", padLeft, f.bottom(), chartW-padRight, f.bottom())
	step := timeStep(float64(f.end)/1e9, 10)
	for t := 0.0; t <= float64(f.end)/1e9+1e-9; t += step {
		x := f.x(int64(t * 1e9))
		s.line("tick", x, f.bottom(), x, f.bottom()+4)
		s.text("tick-label", x, f.bottom()+16, "middle", fmtTick(t, step))
	}
}

// timeSteps are the tick steps a person reads at a glance, in seconds.
var timeSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// timeStep returns the smallest step giving at most n ticks over span seconds.
func timeStep(span float64, n int) float64 {
	for _, st := range timeSteps {
		if span/st <= float64(n) {
			return st
		}
	}
	return math.Ceil(span/float64(n)/86400) * 86400
}

// fmtTick labels a tick in the unit of its step: 45s, 5m, 2h, 1h30m.
func fmtTick(sec, step float64) string {
	switch {
	case sec == 0:
		return "0"
	case step >= 60 && math.Mod(sec, 3600) == 0 && sec >= 3600:
		return fmt.Sprintf("%.0fh", sec/3600)
	case step >= 3600 || step >= 60 && sec >= 3600:
		return fmt.Sprintf("%.0fh%02.0fm", math.Floor(sec/3600), math.Mod(sec, 3600)/60)
	case step >= 60:
		return fmt.Sprintf("%.0fm", sec/60)
	}
	return fmt.Sprintf("%.0fs", sec)
}

// faultBands shades every fault window over the plot and labels it.
func (s *svg) faultBands(f frame, faults []FaultWindow, labels bool) {
	for i, w := range faults {
		x0, x1 := f.x(w.Start), f.x(w.End)
		title := fmt.Sprintf("%s %s %s → %s: %s", w.ID, w.Kind, fmtAt(w.Start), fmtHeal(w), w.Summary)
		if w.Action {
			s.line("action", x0, padTop, x0, f.bottom())
		} else {
			s.rect("fault", x0, padTop, x1-x0, f.plotH(), "", title)
		}
		if labels { // inside the band, alternating rows so neighbours do not collide
			s.text("fault-label", x0+3, padTop+11+float64(i%2)*12, "start", w.ID+" "+w.Kind)
		}
	}
}

// marks draws run milestones as thin vertical lines.
func (s *svg) marks(f frame, marks []Mark) {
	for _, m := range marks {
		x := f.x(m.Time)
		fmt.Fprintf(&s.b, `<line class="mark" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>%s at %s</title></line>`,
			x, padTop, x, f.bottom(), esc(m.Name), fmtAt(m.Time))
	}
}
