package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runLab runs `faultline lab args… --state-dir state` and fails unless the
// exit code is want and stderr contains each of errs.
func runLab(t *testing.T, state string, want int, errs []string, args ...string) string {
	t.Helper()
	code, stdout, stderr := run(t, append(append([]string{"lab"}, args...), "--state-dir", state)...)
	if code != want {
		t.Fatalf("lab %v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
	}
	for _, e := range errs {
		if !strings.Contains(stderr, e) {
			t.Fatalf("lab %v: stderr lacks %q:\n%s", args, e, stderr)
		}
	}
	return stdout
}

const twice = "lab name given twice"

// A bad topology stops up before it creates anything, and its error names
// the lab: the name came from the argument or from --name.
func TestLabUpName(t *testing.T) {
	state := t.TempDir()
	runLab(t, state, ExitHarness, []string{`lab zz: topology "bogus"`}, "up", "zz", "--topology", "bogus")
	runLab(t, state, ExitHarness, []string{`lab zz: topology "bogus"`}, "up", "--name", "zz", "--topology", "bogus")
	runLab(t, state, ExitHarness, []string{`lab zz: topology "bogus"`}, "up", "zz", "--name", "zz", "--topology", "bogus")
	runLab(t, state, ExitHarness, []string{twice, `"zz"`, `"yy"`}, "up", "zz", "--name", "yy", "--topology", "bogus")
	if left, _ := os.ReadDir(state); len(left) != 0 {
		t.Fatalf("up with a bad config created %v", left)
	}
}

func TestLabDownName(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "labs", "zz")
	for _, args := range [][]string{{"down", "zz"}, {"down", "--name", "zz"}} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		runLab(t, state, ExitValid, nil, args...)
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("lab %v left %s (stat: %v)", args, dir, err)
		}
	}
	os.MkdirAll(dir, 0o755)
	runLab(t, state, ExitHarness, []string{twice}, "down", "zz", "--name", "yy")
	runLab(t, state, ExitHarness, []string{"--all", `"zz"`}, "down", "--all", "zz")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("a refused down removed %s: %v", dir, err)
	}
}

func TestLabStatusName(t *testing.T) {
	state := t.TempDir()
	for _, name := range []string{"yy", "zz"} {
		dir := filepath.Join(state, "labs", name)
		os.MkdirAll(dir, 0o755)
		lab := `{"name":"` + name + `","topology":"galera","subnet":"198.18.250.0/24","nodes":[]}`
		if err := os.WriteFile(filepath.Join(dir, "lab.json"), []byte(lab), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"status", "zz"}, {"status", "--name", "zz"}, {"status", "zz", "--name", "zz"}} {
		out := runLab(t, state, ExitValid, nil, args...)
		if !strings.Contains(out, "lab zz (galera") || strings.Contains(out, "lab yy") {
			t.Fatalf("lab %v shows:\n%s\nwant lab zz only", args, out)
		}
	}
	if out := runLab(t, state, ExitValid, nil, "status"); !strings.Contains(out, "lab yy (") || !strings.Contains(out, "lab zz (") {
		t.Fatalf("lab status shows:\n%s\nwant both labs", out)
	}
	runLab(t, state, ExitHarness, []string{twice}, "status", "zz", "--name", "yy")
	runLab(t, state, ExitHarness, []string{"no lab nope"}, "status", "nope")
}

// Promote opens the lab it is told: NAME before NODE, --name, or the
// default "lab"; none exists here, so the error names the lab it tried.
func TestLabPromoteName(t *testing.T) {
	state := t.TempDir()
	runLab(t, state, ExitHarness, []string{"open lab zz"}, "promote", "zz", "n2")
	runLab(t, state, ExitHarness, []string{"open lab zz"}, "promote", "--name", "zz", "n2")
	runLab(t, state, ExitHarness, []string{"open lab lab"}, "promote", "n2")
	runLab(t, state, ExitHarness, []string{twice}, "promote", "zz", "n2", "--name", "yy")
}
