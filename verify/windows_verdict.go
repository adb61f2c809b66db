package verify

import (
	"fmt"
	"strings"
	"time"
)

// windowsVerdict judges a check by its windows that have a threshold —
// invalid beats unknown beats valid; windows without one are Measured and
// judge nothing, and a check with no thresholded window is Measured. Without
// any window, a check with a threshold holds (Valid) and one without is
// Measured. The summary has one part per metric, in the windows' order.
func windowsVerdict(name string, ws []Window, thresholds bool) Verdict {
	v := Verdict{Check: name, Status: Measured, Windows: ws}
	if len(ws) == 0 {
		if thresholds {
			v.Status = Valid
		}
		v.Summary = "no fault windows in the history"
		return v
	}
	var parts []string
	for _, m := range metricsOf(ws) {
		st, part := metricSummary(m, ws)
		if severity(st) > severity(v.Status) {
			v.Status = st
		}
		parts = append(parts, part)
	}
	v.Summary = strings.Join(parts, "; ")
	return v
}

// severity orders statuses for windowsVerdict: measured, valid, unknown, invalid.
func severity(s Status) int {
	switch s {
	case Valid:
		return 1
	case Unknown:
		return 2
	case Invalid:
		return 3
	}
	return 0
}

func metricsOf(ws []Window) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range ws {
		if !seen[w.Metric] {
			seen[w.Metric] = true
			out = append(out, w.Metric)
		}
	}
	return out
}

// metricSummary is the status of one metric's windows and a phrase for it.
func metricSummary(metric string, ws []Window) (Status, string) {
	st, n, bad, unknown := Measured, 0, 0, 0
	var worst *Window
	for i := range ws {
		w := &ws[i]
		if w.Metric != metric {
			continue
		}
		n++
		if worst == nil || w.Value > worst.Value {
			worst = w
		}
		if severity(w.Status) > severity(st) {
			st = w.Status
		}
		switch w.Status {
		case Invalid:
			bad++
		case Unknown:
			unknown++
		}
	}
	of := fmt.Sprintf("%s: %d of %d windows", metric, bad, n)
	switch st {
	case Invalid:
		return st, fmt.Sprintf("%s breach the threshold %s (worst %s)", of, fmtNS(*worst.Threshold), worstOf(worst))
	case Unknown:
		return st, fmt.Sprintf("%s: %d of %d windows could not be measured (not recovered before the end of the history)", metric, unknown, n)
	case Valid:
		return st, fmt.Sprintf("%s: %s within %s, worst %s", metric, plural(n, "window"), fmtNS(*worst.Threshold), worstOf(worst))
	}
	return st, fmt.Sprintf("%s: %s, worst %s, no threshold set", metric, plural(n, "window"), worstOf(worst))
}

// worstOf is a window's value for a summary, with the client it names.
func worstOf(w *Window) string {
	s := fmtNS(w.Value)
	if w.Client != nil {
		s += fmt.Sprintf(" (client %d)", *w.Client)
	}
	return s
}

func fmtNS(ns int64) string { return time.Duration(ns).Round(time.Millisecond).String() }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
