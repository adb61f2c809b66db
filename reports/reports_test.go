package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

var update = flag.Bool("update", false, "rewrite testdata/ledger-partition from the generator")

const testdataRun = "testdata/ledger-partition"

// copyRun copies a run directory into a temporary one, so rendering into it
// leaves testdata untouched.
func copyRun(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	must(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func TestTestdataMatchesGenerator(t *testing.T) {
	if *update {
		must(t, os.RemoveAll(testdataRun))
		smallRun.write(t, testdataRun)
	}
	fresh := t.TempDir()
	smallRun.write(t, fresh)
	for _, name := range []string{history.FileHistory, history.FileVerdicts, history.FileFinal, FileRunMeta} {
		want, err := os.ReadFile(filepath.Join(fresh, name))
		must(t, err)
		got, err := os.ReadFile(filepath.Join(testdataRun, name))
		must(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%s/%s differs from the generator: run go test ./reports -run TestTestdataMatchesGenerator -update", testdataRun, name)
		}
	}
}

func TestLoadSyntheticRun(t *testing.T) {
	m, err := Load(testdataRun)
	must(t, err)
	if m.Partial {
		t.Fatalf("complete run loaded as partial: %v", m.PartialReasons)
	}
	if m.Scenario != "ledger-partition" || m.Seed != 424242 {
		t.Errorf("identity = %q seed %d", m.Scenario, m.Seed)
	}
	c := m.Counts
	if c.Invoke != 1200 || c.OK+c.Fail+c.Info != c.Invoke || c.Pending != 0 || c.Info == 0 || c.Fail == 0 {
		t.Errorf("counts = %+v", c)
	}
	if len(m.Faults) != 1 {
		t.Fatalf("faults = %+v", m.Faults)
	}
	f := m.Faults[0]
	if f.Kind != "partition" || f.Start != 20*sec || f.End != 35*sec || !f.Healed || f.Effect != EffectVerified || len(f.Evidence) == 0 {
		t.Errorf("fault window = %+v", f)
	}
	if len(m.Seconds) < 60 {
		t.Fatalf("seconds = %d, want ≥ 60", len(m.Seconds))
	}
	calm, part := m.Seconds[10], m.Seconds[25]
	if calm.OK < 17 || calm.P50 <= 0 || calm.P50 > calm.P99 || calm.P99 > calm.Max {
		t.Errorf("second 10 = %+v", calm)
	}
	if part.Info == 0 || part.Max < 500e6 {
		t.Errorf("second 25 (partition) shows no indeterminate ops or stall: %+v", part)
	}
	lane := m.Timeline[2]
	roles := []string{}
	for _, s := range lane.Segments {
		roles = append(roles, s.Role)
	}
	if lane.Node != "n3" || lane.Zone != "c" || strings.Join(roles, ",") != "galera-primary,galera-nonprimary,galera-primary" {
		t.Errorf("n3 lane = %s %s %v", lane.Node, lane.Zone, roles)
	}
	if len(m.Windows) != 2 || m.Verdict() != verify.Invalid {
		t.Errorf("windows = %d, verdict = %s", len(m.Windows), m.Verdict())
	}
}

func TestRenderAll(t *testing.T) {
	dir := copyRun(t, testdataRun)
	must(t, RenderAll(dir))
	if d := os.Getenv("FAULTLINE_TEST_ARTIFACTS"); d != "" {
		must(t, os.CopyFS(filepath.Join(d, "rendered-"+filepath.Base(dir)), os.DirFS(dir)))
	}
	res := readResult(t, dir)
	if res.Verdict != verify.Invalid || res.ExitCode != ExitInvalid || res.Partial || len(res.Checks) != 4 || len(res.Faults) != 1 {
		t.Errorf("result = verdict %s exit %d partial %v checks %d faults %d", res.Verdict, res.ExitCode, res.Partial, len(res.Checks), len(res.Faults))
	}
	md := readFile(t, dir, history.FileSummary)
	for _, want := range []string{"❌", "**invalid**", "| lost-writes | ❌ invalid |", "| split-brain | ✅ valid |", "### RPO / RTO", "| step-1 | partition | n3 | 20.0s | 35.0s | ✅ verified |", "<summary>Evidence: lost-writes</summary>", `"value": 419`} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Partial run") {
		t.Error("complete run's summary says partial")
	}
	page := readFile(t, dir, history.FileReport)
	assertCharts(t, page)
	for _, want := range []string{"Verdict: invalid", "Evidence: lost-writes", "<th>value</th>", "10.11.14-MariaDB", "innodb_flush_log_at_trx_commit", "rto-heal"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(page, `id="partial"`) {
		t.Error("complete run's report has the partial banner")
	}
}

// assertCharts checks that the three charts are there and hold data elements.
func assertCharts(t *testing.T, page string) {
	t.Helper()
	charts := regexp.MustCompile(`(?s)<svg class="chart (\w+)".*?</svg>`).FindAllStringSubmatch(page, -1)
	if len(charts) != 3 {
		t.Fatalf("found %d charts, want 3", len(charts))
	}
	data := regexp.MustCompile(`<(rect|polyline|path) class="data`)
	for _, c := range charts {
		if n := len(data.FindAllString(c[0], -1)); n == 0 {
			t.Errorf("chart %s has no data elements", c[1])
		}
		if !strings.Contains(c[0], `class="fault"`) {
			t.Errorf("chart %s does not shade the fault window", c[1])
		}
	}
	if regexp.MustCompile(`(?i)<script|<link|https?://[^"]*\.(css|js)|@import|url\(`).MatchString(page) {
		t.Error("report.html is not self-contained")
	}
}

func TestPartialRunRendersWithBanner(t *testing.T) {
	dir := t.TempDir()
	partial := smallRun
	partial.partial = true
	partial.write(t, dir)
	must(t, RenderAll(dir))
	res := readResult(t, dir)
	if !res.Partial || res.Verdict != verify.Unknown || res.ExitCode != ExitUnknown || len(res.PartialReasons) < 3 {
		t.Errorf("partial result = partial %v verdict %s exit %d reasons %v", res.Partial, res.Verdict, res.ExitCode, res.PartialReasons)
	}
	page := readFile(t, dir, history.FileReport)
	for _, want := range []string{`id="partial"`, "Partial run.", "history truncated", "interrupted (SIGINT)", "No verdicts were recorded"} {
		if !strings.Contains(page, want) {
			t.Errorf("partial report.html lacks %q", want)
		}
	}
	if md := readFile(t, dir, history.FileSummary); !strings.Contains(md, "**Partial run**") || !strings.Contains(md, "⚠️") {
		t.Errorf("partial summary.md:\n%s", md)
	}
	s := parseJUnit(t, readFile(t, dir, history.FileJUnit))
	if s.Errors == 0 {
		t.Error("partial run's junit.xml has no error case")
	}
}

func TestValidRunIsUnknownWhenAFaultHadNoEffect(t *testing.T) {
	m := &Model{Verdicts: []verify.Verdict{{Check: "split-brain", Status: verify.Valid}}}
	if m.Verdict() != verify.Valid {
		t.Fatalf("verdict = %s, want valid", m.Verdict())
	}
	m.Faults = []FaultWindow{{ID: "step-1", Effect: EffectNoEffect}}
	if m.Verdict() != verify.Unknown {
		t.Errorf("verdict with an ineffective fault = %s, want unknown", m.Verdict())
	}
}

func TestAppendStepSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "step-summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", path)
	must(t, os.WriteFile(path, []byte("before\n"), 0o644))
	must(t, AppendStepSummary([]byte("## after\n")))
	if got := readFile(t, filepath.Dir(path), filepath.Base(path)); got != "before\n## after\n" {
		t.Errorf("step summary = %q", got)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	must(t, AppendStepSummary([]byte("ignored")))
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	must(t, err)
	return string(b)
}

func readResult(t *testing.T, dir string) Result {
	t.Helper()
	var r Result
	must(t, json.Unmarshal([]byte(readFile(t, dir, history.FileResult)), &r))
	validateResult(t, []byte(readFile(t, dir, history.FileResult)))
	return r
}

func TestLoadRejectsCorruptHistory(t *testing.T) {
	dir := copyRun(t, testdataRun)
	path := filepath.Join(dir, history.FileHistory)
	b, err := os.ReadFile(path)
	must(t, err)
	b = append([]byte("{not json\n"), b...)
	must(t, os.WriteFile(path, b, 0o644))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Load of a history corrupt on line 1 = %v, want an error naming the line", err)
	}
}

func TestEmptyRunDirRendersAsUnknown(t *testing.T) {
	dir := t.TempDir()
	must(t, RenderAll(dir))
	res := readResult(t, dir)
	if !res.Partial || res.Verdict != verify.Unknown || res.ExitCode != ExitUnknown {
		t.Errorf("empty run = partial %v verdict %s exit %d", res.Partial, res.Verdict, res.ExitCode)
	}
	if page := readFile(t, dir, history.FileReport); !strings.Contains(page, "no history.jsonl") {
		t.Error("empty run's report does not say the history is missing")
	}
}
