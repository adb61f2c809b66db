package reports

import (
	"fmt"
	"strings"
	"time"

	"faultline.dev/faultline/verify"
)

// fmtAt formats a time since run start: "12.3s", or "50m00s" past 100 s.
func fmtAt(ns int64) string {
	if ns < 100*int64(time.Second) {
		return fmt.Sprintf("%.1fs", float64(ns)/1e9)
	}
	return fmtDur(ns)
}

// fmtDur formats a duration for people: "850ms", "3.2s", "2m05s", "1h02m00s".
func fmtDur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d == 0:
		return "0s"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm%02ds", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

// fmtThreshold formats an optional threshold.
func fmtThreshold(t *int64) string {
	if t == nil {
		return "none set"
	}
	return fmtDur(*t)
}

// fmtWindowValue formats a window's value: a duration, with the count of
// lost commits or the client it belongs to.
func fmtWindowValue(w verify.Window) string {
	s := fmtDur(w.Value)
	if w.Count > 0 {
		s += fmt.Sprintf(" · count %d", w.Count)
	}
	if w.Client != nil {
		s += fmt.Sprintf(" · client %d", *w.Client)
	}
	return s
}

// fmtHeal says when a fault was healed.
func fmtHeal(f FaultWindow) string {
	switch {
	case f.Action:
		return "action"
	case !f.Healed:
		return "never healed"
	}
	return fmtAt(f.End)
}

func statusEmoji(s verify.Status) string {
	switch s {
	case verify.Valid:
		return "✅"
	case verify.Invalid:
		return "❌"
	case verify.Measured:
		return "📏"
	}
	return "⚠️"
}

// statusMark is statusEmoji for HTML: text symbols every system font has,
// rather than colour emoji a bare machine may lack.
func statusMark(s verify.Status) string {
	switch s {
	case verify.Valid:
		return "✓"
	case verify.Invalid:
		return "✗"
	case verify.Measured:
		return "○"
	}
	return "⚠"
}

func effectEmoji(e Effect) string {
	switch e {
	case EffectVerified:
		return "✅"
	case EffectNoEffect, EffectError:
		return "❌"
	}
	return "➖"
}

// mdCell escapes a string for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return "—"
	}
	return s
}
