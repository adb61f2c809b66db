package reports

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"faultline.dev/faultline/verify"
)

// WriteMarkdown writes summary.md: a GitHub-flavoured summary that fits a CI
// step summary — verdict line, checks, RPO/RTO windows, faults, counts.
func WriteMarkdown(m *Model, w io.Writer) error {
	bw := bufio.NewWriter(w)
	v := m.Verdict()
	fmt.Fprintf(bw, "## %s faultline `%s`: **%s**\n\n", statusEmoji(v), m.Scenario, v)
	fmt.Fprintf(bw, "run `%s` · seed `%d` · %s · exit code %d\n\n", m.RunID, m.Seed, fmtDur(m.End), ExitCode(v))
	if m.Partial {
		fmt.Fprintf(bw, "> [!WARNING]\n> **Partial run**: %s\n\n", strings.Join(m.PartialReasons, "; "))
	}
	mdChecks(bw, m)
	mdWindows(bw, m)
	mdFaults(bw, m)
	mdCredits(bw, m)
	mdCluster(bw, m)
	c := m.Counts
	fmt.Fprintf(bw, "**Operations**: %d invoked · %d ok · %d fail · %d info · %d pending\n", c.Invoke, c.OK, c.Fail, c.Info, c.Pending)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

func mdChecks(w io.Writer, m *Model) {
	if len(m.Verdicts) == 0 {
		fmt.Fprint(w, "_No verdicts._\n\n")
		return
	}
	fmt.Fprint(w, "| check | status | summary |\n|---|---|---|\n")
	for _, v := range m.Verdicts {
		fmt.Fprintf(w, "| %s | %s %s | %s |\n", mdCell(v.Check), statusEmoji(v.Status), v.Status, mdCell(v.Summary))
	}
	fmt.Fprintln(w)
	for _, v := range m.Verdicts {
		if v.Status != verify.Valid && len(v.Evidence) > 0 {
			ev := viewEvidence(v.Evidence, checkEvidenceAt(v.Check), v.Artifacts...)
			mdEvidence(w, v.Check, &ev)
		}
	}
}

// maxMarkdownEvidence bounds each check's evidence in summary.md, which CI
// systems cap (GitHub: 1 MiB per step summary); report.html has it whole.
const maxMarkdownEvidence = 4000

// clip shortens s to at most n bytes at a line end, saying what was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], '\n')
	if cut < 0 {
		cut = n
	}
	return s[:cut] + fmt.Sprintf("\n… %d more bytes in report.html", len(s)-cut)
}

func mdWindows(w io.Writer, m *Model) {
	if len(m.Windows) == 0 {
		return
	}
	fmt.Fprint(w, "### RPO / RTO\n\n| fault | kind | metric | value | threshold | status | note |\n|---|---|---|---|---|---|---|\n")
	for _, x := range m.Windows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s %s | %s |\n", mdCell(x.Fault), mdCell(x.Kind), mdCell(x.Metric),
			fmtWindowValue(x), fmtThreshold(x.Threshold), statusEmoji(x.Status), x.Status, mdCell(x.Note))
	}
	fmt.Fprintln(w)
}

func mdFaults(w io.Writer, m *Model) {
	if len(m.Faults) == 0 {
		return
	}
	fmt.Fprint(w, "### Faults\n\n| fault | kind | targets | at | healed | effect |\n|---|---|---|---|---|---|\n")
	for _, f := range m.Faults {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s %s |\n", mdCell(f.ID), mdCell(f.Kind),
			mdCell(strings.Join(f.Targets, ", ")), fmtAt(f.Start), fmtHeal(f), effectEmoji(f.Effect), f.Effect)
	}
	fmt.Fprintln(w)
}

// mdCluster lists what the target's control plane reported (at most the
// first 30 events: the report has them all).
func mdCluster(w io.Writer, m *Model) {
	if len(m.Cluster) == 0 {
		return
	}
	fmt.Fprint(w, "### Cluster events\n\n| at | object | event | message |\n|---|---|---|---|\n")
	for i, e := range m.Cluster {
		if i == 30 {
			fmt.Fprintf(w, "| … | %d more in report.html | | |\n", len(m.Cluster)-30)
			break
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", fmtAt(e.Time), mdCell(e.Object), mdCell(e.Reason), mdCell(e.Message))
	}
	fmt.Fprintln(w)
}

// AppendStepSummary appends md to the file named by $GITHUB_STEP_SUMMARY.
// It does nothing when the variable is unset (not running in GitHub Actions).
func AppendStepSummary(md []byte) error {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("append step summary: %w", err)
	}
	if _, err := f.Write(md); err != nil {
		f.Close()
		return fmt.Errorf("append step summary %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append step summary %s: %w", path, err)
	}
	return nil
}
