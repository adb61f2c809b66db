package reports

import (
	"fmt"
	"strings"

	"faultline.dev/faultline/verify"
)

// EvidenceText is a verdict's evidence for a terminal or a test failure
// message: its summary, facts and tables (the lost operations with their
// acknowledgement times, the split-brain interval, the breaching window),
// without the raw JSON.
func EvidenceText(v verify.Verdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", v.Check, v.Status, v.Summary)
	for _, w := range v.Windows {
		if w.Status == verify.Valid {
			continue
		}
		fmt.Fprintf(&b, "  window %s %s %s: %s", w.Fault, w.Kind, w.Metric, fmtDur(w.Value))
		if w.Threshold != nil {
			fmt.Fprintf(&b, " (threshold %s)", fmtDur(*w.Threshold))
		}
		if w.Note != "" {
			fmt.Fprintf(&b, " — %s", w.Note)
		}
		b.WriteString("\n")
	}
	if len(v.Evidence) == 0 {
		return b.String()
	}
	ev := viewEvidence(v.Evidence, "verdicts.json, check "+v.Check, v.Artifacts...)
	for _, f := range ev.Facts {
		fmt.Fprintf(&b, "  %s: %s\n", f.Name, f.Value)
	}
	for _, t := range ev.Tables {
		fmt.Fprintf(&b, "  %s", t.Title)
		if t.Note != "" {
			fmt.Fprintf(&b, " (%s)", t.Note)
		}
		fmt.Fprintf(&b, "\n    %s\n", strings.Join(t.Columns, " | "))
		for _, r := range t.Rows {
			fmt.Fprintf(&b, "    %s\n", strings.Join(r, " | "))
		}
	}
	return b.String()
}
