package reports

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

// measuredRun is the synthetic run re-checked so that every check passes
// but the RPO, which lost 18.4 s of acknowledged writes with no rpo
// threshold set: measured, not judged.
func measuredRun(t *testing.T) string {
	t.Helper()
	dir := copyRun(t, testdataRun)
	thr := 5 * sec
	writeJSON(t, filepath.Join(dir, history.FileVerdicts), []verify.Verdict{
		{Check: "split-brain", Status: verify.Valid, Summary: "no key with diverging content"},
		{Check: "rpo", Status: verify.Measured, Summary: "rpo: 1 window, worst 18.4s, no threshold set", Windows: []verify.Window{
			{Fault: "step-1", Kind: "partition", Start: 20 * sec, End: 35 * sec, Metric: "rpo", Value: 18400 * int64(time.Millisecond),
				Count: 866, Status: verify.Measured, Note: "866 lost"},
		}},
		{Check: "rto", Status: verify.Valid, Summary: "rto: 1 window within 5s, worst 1.2s", Windows: []verify.Window{
			{Fault: "step-1", Kind: "partition", Start: 20 * sec, End: 35 * sec, Metric: "rto", Value: 1200 * int64(time.Millisecond),
				Threshold: &thr, Status: verify.Valid},
			{Fault: "step-1", Kind: "partition", Start: 20 * sec, End: 35 * sec, Metric: "rto-client", Value: 9 * sec,
				Client: new(3), Status: verify.Measured, Note: "client 3: first write not acknowledged invoked at t=20.001s on n3"},
		}},
	})
	must(t, RenderAll(dir))
	return dir
}

func TestMeasuredCheckLeavesTheRunValid(t *testing.T) {
	res := readResult(t, measuredRun(t)) // also validates result.json against the schema
	if res.Verdict != verify.Valid || res.ExitCode != ExitValid {
		t.Errorf("verdict %s exit %d, want valid 0: a measured check judges nothing", res.Verdict, res.ExitCode)
	}
	if res.Checks[1].Status != verify.Measured || res.Windows[0].Status != verify.Measured {
		t.Errorf("rpo check %s, window %s; want measured", res.Checks[1].Status, res.Windows[0].Status)
	}
	if c := res.Windows[2].Client; c == nil || *c != 3 {
		t.Errorf("rto-client window: %+v", res.Windows[2])
	}
}

func TestMarkdownShowsMeasured(t *testing.T) {
	md := readFile(t, measuredRun(t), history.FileSummary)
	for _, want := range []string{
		"**valid**",
		"| rpo | 📏 measured | rpo: 1 window, worst 18.4s, no threshold set |",
		"| step-1 | partition | rpo | 18.4s · count 866 | none set | 📏 measured | 866 lost |",
		"| step-1 | partition | rto-client | 9.0s · client 3 | none set | 📏 measured | client 3: first write",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| rpo | ✅") {
		t.Error("summary.md shows the measured rpo as valid")
	}
}

func TestHTMLShowsMeasured(t *testing.T) {
	page := readFile(t, measuredRun(t), history.FileReport)
	for _, want := range []string{
		`<td>rpo</td><td class="st measured">○ measured</td><td>rpo: 1 window, worst 18.4s, no threshold set</td>`,
		`<td class="num">none set</td><td class="st measured">○ measured</td><td>866 lost</td>`,
		"9.0s · client 3",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestJUnitMeasuredIsSkipped(t *testing.T) {
	s := parseJUnit(t, readFile(t, measuredRun(t), history.FileJUnit))
	if s.Failures != 0 || s.Errors != 0 || s.Skipped != 1 {
		t.Errorf("suite failures=%d errors=%d skipped=%d, want 0/0/1", s.Failures, s.Errors, s.Skipped)
	}
	for _, c := range s.Cases {
		switch c.Name {
		case "rpo":
			if c.Skipped == nil || c.Skipped.Message != "measured, no threshold: rpo: 1 window, worst 18.4s, no threshold set" {
				t.Errorf("rpo case = %+v, want skipped", c)
			}
		case "rto":
			if c.Skipped != nil || c.SystemOut == nil || !strings.Contains(c.SystemOut.Text,
				"step-1 partition rto-client: 9.0s · client 3 (threshold none set) measured — client 3") {
				t.Errorf("rto case = %+v, want a pass listing its windows", c)
			}
		}
	}
}
