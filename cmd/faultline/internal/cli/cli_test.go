package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios/library"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// A file with five different mistakes: five errors, each with
// file:line:col, and exit code 3.
func TestValidateReportsEveryMistake(t *testing.T) {
	code, _, stderr := run(t, "validate", "testdata/five-mistakes.yaml")
	if code != ExitHarness {
		t.Fatalf("exit %d, want 3\n%s", code, stderr)
	}
	pos := regexp.MustCompile(`(?m)^testdata/five-mistakes\.yaml:(\d+):(\d+): `)
	got := pos.FindAllStringSubmatch(stderr, -1)
	lines := map[string]bool{}
	for _, m := range got {
		lines[m[1]] = true
	}
	for _, want := range []string{"11", "13", "17", "20", "23"} {
		if !lines[want] {
			t.Errorf("no error on line %s:\n%s", want, stderr)
		}
	}
	if len(got) < 5 {
		t.Errorf("%d positioned errors, want ≥ 5:\n%s", len(got), stderr)
	}
}

func TestValidateLibraryIsValid(t *testing.T) {
	names := library.Names()
	code, stdout, stderr := run(t, append([]string{"validate"}, names...)...)
	if code != ExitValid || strings.Count(stdout, ": valid") != len(names) {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// plan resolves every library scenario and touches nothing: no network
// namespace, no file in the state directory, no process.
func TestPlanTouchesNothing(t *testing.T) {
	state := t.TempDir()
	before := snapshot(t, state)
	for _, n := range library.Names() {
		code, stdout, stderr := run(t, "plan", n, "--state-dir", state)
		if code != ExitValid || !strings.Contains(stdout, "AT") {
			t.Fatalf("plan %s: exit %d\n%s%s", n, code, stdout, stderr)
		}
		code, stdout, _ = run(t, "plan", n, "-o", "json", "--seed", "3", "--state-dir", state)
		var p struct {
			Seed  int64             `json:"seed"`
			Steps []json.RawMessage `json:"steps"`
		}
		if code != ExitValid || json.Unmarshal([]byte(stdout), &p) != nil || p.Seed != 3 || len(p.Steps) == 0 {
			t.Fatalf("plan %s -o json: exit %d seed %d steps %d\n%s", n, code, p.Seed, len(p.Steps), stdout)
		}
	}
	if after := snapshot(t, state); after != before {
		t.Fatalf("plan changed the host:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot lists network namespaces, the state directory and the
// servers started from it.
func snapshot(t *testing.T, state string) string {
	t.Helper()
	var parts []string
	namespaces, _ := filepath.Glob("/run/netns/*")
	for _, p := range namespaces {
		// other packages' tests, run alongside, make and remove their
		// own labs' namespaces (fltest: "flt…")
		if !strings.HasPrefix(filepath.Base(p), "flt") {
			parts = append(parts, p)
		}
	}
	files, _ := filepath.Glob(filepath.Join(state, "*"))
	parts = append(parts, files...)
	// servers of a lab kept in state; other packages' tests start
	// mariadbd processes (and stand-ins of that name) of their own
	procs, _ := filepath.Glob("/proc/[0-9]*/comm")
	n := 0
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || strings.TrimSpace(string(b)) != "mariadbd" {
			continue
		}
		if cmd, err := os.ReadFile(filepath.Join(filepath.Dir(p), "cmdline")); err == nil && strings.Contains(string(cmd), state) {
			n++
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ",") + " mariadbd=" + string(rune('0'+n))
}

func TestHelpTeachesWithExamples(t *testing.T) {
	for _, c := range []string{"run", "plan", "validate", "preflight", "recover", "check", "report", "lab", "doctor"} {
		code, stdout, _ := run(t, c, "--help")
		if code != ExitValid || !strings.Contains(stdout, "Usage:") {
			t.Errorf("%s --help: exit %d\n%s", c, code, stdout)
		}
	}
	_, stdout, _ := run(t, "run", "--help")
	if !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "Exit code") && !strings.Contains(stdout, "exit code") {
		t.Errorf("run --help lacks examples or exit codes:\n%s", stdout)
	}
}

func TestUnknownScenarioIsAHarnessError(t *testing.T) {
	code, _, stderr := run(t, "plan", "no-such-scenario")
	if code != ExitHarness || stderr == "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestRunListsLibrary(t *testing.T) {
	code, stdout, _ := run(t, "run", "--list")
	if code != ExitValid || !strings.Contains(stdout, "galera-minority-partition") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
}
