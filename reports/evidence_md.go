package reports

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// mdEvidence writes a check's evidence for summary.md, collapsed: facts as
// a list, the tables (at most maxEvidenceRows rows each, with where the
// rest is), then the JSON clipped to maxMarkdownEvidence bytes.
func mdEvidence(w io.Writer, check string, ev *EvidenceView) {
	fmt.Fprintf(w, "<details><summary>Evidence: %s</summary>\n\n", html.EscapeString(check))
	for _, f := range ev.Facts {
		fmt.Fprintf(w, "- **%s**: %s\n", mdCell(f.Name), mdCell(f.Value))
	}
	if len(ev.Facts) > 0 {
		fmt.Fprintln(w)
	}
	for _, t := range ev.Tables {
		mdTable(w, &t)
	}
	fmt.Fprintf(w, "```json\n%s\n```\n\n</details>\n\n", clip(ev.JSON, maxMarkdownEvidence))
}

func mdTable(w io.Writer, t *EvidenceTable) {
	fmt.Fprintf(w, "**%s**", mdCell(t.Title))
	if t.Note != "" {
		fmt.Fprintf(w, " — %s", mdCell(t.Note))
	}
	fmt.Fprint(w, "\n\n|")
	for _, c := range t.Columns {
		fmt.Fprintf(w, " %s |", mdCell(c))
	}
	fmt.Fprintf(w, "\n|%s\n", strings.Repeat("---|", len(t.Columns)))
	for _, r := range t.Rows {
		fmt.Fprint(w, "|")
		for _, c := range r {
			fmt.Fprintf(w, " %s |", mdCell(c))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}
