package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/internal/hostcaps"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/scenarios/library"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
	"faultline.dev/faultline/verify"
)

// requireLab fails (never skips) when the host cannot run a local lab.
func requireLab(t *testing.T) {
	t.Helper()
	if err := local.CheckHost(); err != nil {
		t.Fatalf("integration test needs a host that can run the local lab (make deps, root): %v", err)
	}
}

// runs is how many times each control runs: 1 in `make test`, more in `make controls`.
func runs(t *testing.T) int {
	n, err := strconv.Atoi(os.Getenv("FAULTLINE_CONTROLS_RUNS"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// runLibrary runs a built-in scenario end to end and checks its artifacts.
func runLibrary(t *testing.T, name string, seed int64) *runner.Result {
	t.Helper()
	requireLab(t)
	_, src, err := library.Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	return runSource(t, name, src, seed)
}

// runSource runs a scenario given as its source end to end on a real lab,
// logs its verdicts and checks its artifacts and that nothing is left.
func runSource(t *testing.T, name string, src []byte, seed int64) *runner.Result {
	t.Helper()
	s, err := scenarios.LoadWith(name, src, providers.Default().Spellings())
	if err != nil {
		t.Fatal(err)
	}
	// what the CLI refuses before a run, a test refuses too: a missing
	// tool names itself here, not as an empty backup list minutes later
	if err := scenarios.ValidateFor(s, hostcaps.Host(context.Background())); err != nil {
		t.Fatalf("this host cannot run %s: %v", name, err)
	}
	uniqueLab(s)
	state := stateDir(t)
	start := time.Now()
	res, err := runner.Run(context.Background(), runner.Options{
		Scenario: s, Source: src, Seed: seed, OutDir: t.TempDir(), StateDir: state, Quiet: true,
		Providers: providers.Default(),
	})
	if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	wall := time.Since(start)
	t.Logf("%s seed %d: %s in %.1fs (scheduled %v) → %s", name, res.Seed, res.Status, wall.Seconds(), s.Spec.Workload.Duration, res.Dir)
	for _, v := range res.Verdicts {
		t.Logf("  %-8s %-13s %s", v.Status, v.Check, v.Summary)
	}
	checkArtifacts(t, res)
	assertNothingLeft(t, state, scenarios.LabName(s))
	return res
}

// checkArtifacts asserts every artifact of the run directory exists and parses.
func checkArtifacts(t *testing.T, res *runner.Result) {
	t.Helper()
	for _, f := range []string{history.FileScenario, history.FilePlan, history.FileSeed, history.FileHistory,
		history.FileFinal, history.FileVerdicts, history.FileResult, history.FileSummary, history.FileJUnit,
		history.FileReport, reports.FileRunMeta} {
		if _, err := os.Stat(filepath.Join(res.Dir, f)); err != nil {
			t.Errorf("artifact %s: %v", f, err)
		}
	}
	var result reports.Result
	readJSON(t, filepath.Join(res.Dir, history.FileResult), &result)
	if result.SchemaVersion != reports.SchemaVersion || result.Verdict != res.Status || result.ExitCode != res.ExitCode {
		t.Errorf("result.json: schema %q verdict %q exit %d; run said %s exit %d",
			result.SchemaVersion, result.Verdict, result.ExitCode, res.Status, res.ExitCode)
	}
	if err := validateResult(mustRead(t, filepath.Join(res.Dir, history.FileResult))); err != nil {
		t.Errorf("result.json against its schema: %v", err)
	}
	var suites struct {
		XMLName xml.Name
		Suites  []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
		} `xml:"testsuite"`
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(mustRead(t, filepath.Join(res.Dir, history.FileJUnit)), &suites); err != nil {
		t.Errorf("junit.xml: %v", err)
	}
	if err := validateJUnit(mustRead(t, filepath.Join(res.Dir, history.FileJUnit))); err != nil {
		t.Errorf("junit.xml against the JUnit schema: %v", err)
	}
	page := string(mustRead(t, filepath.Join(res.Dir, history.FileReport)))
	if !strings.Contains(page, "<svg") || strings.Contains(page, "http://") && strings.Contains(page, "<script src") {
		t.Errorf("report.html is not a self-contained page with charts")
	}
	events, err := history.ReadAll(filepath.Join(res.Dir, history.FileHistory))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	balanced(t, events)
}

// balanced asserts every invoke has exactly one completion.
func balanced(t *testing.T, events []history.Event) {
	t.Helper()
	inv, done := 0, 0
	for _, e := range events {
		switch e.Type {
		case history.Invoke:
			inv++
		case history.OK, history.Fail, history.Info:
			done++
		}
	}
	if inv == 0 || inv != done {
		t.Errorf("history: %d invocations, %d completions", inv, done)
	}
}

// assertNothingLeft checks the ledger is empty and the lab is gone.
func assertNothingLeft(t *testing.T, stateDir, lab string) {
	t.Helper()
	l, err := injectors.OpenLedger(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	if recs, _ := l.List(""); len(recs) > 0 {
		t.Errorf("ledger still holds %d open faults: %+v", len(recs), recs)
	}
	left, err := local.Leftovers(context.Background(), lab)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("lab %s left behind: %v", lab, left)
	}
}

// stateDir is a state directory mariadbd (user mysql) can traverse.
// uniqueLab names the scenario's lab uniquely, so that what a killed
// earlier test process left on this machine never collides with this run.
func uniqueLab(s *scenarios.Scenario) {
	if l := s.Spec.Target.Local; l != nil {
		l.Name = localtest.UniqueName()
	}
}

// withUniqueLab returns a scenario source whose local target names a
// unique lab (see uniqueLab), for runs of the binary.
func withUniqueLab(t *testing.T, src []byte) ([]byte, string) {
	t.Helper()
	name := localtest.UniqueName()
	out := bytes.Replace(src, []byte("    local:\n"), []byte("    local:\n      name: "+name+"\n"), 1)
	if bytes.Equal(out, src) {
		t.Fatal("scenario has no spec.target.local block to name")
	}
	return out, name
}

func stateDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "faultline-state-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func verdictOf(res *runner.Result, check string) verify.Status {
	for _, v := range res.Verdicts {
		if v.Check == check {
			return v.Status
		}
	}
	return ""
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(mustRead(t, path), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
