package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// noteLocal is the local provider with one more kind registered whole,
// "note", which builds nothing: the CLI must load its steps with the
// providers' spellings.
type noteLocal struct{ providers.Local }

type noteParams struct {
	Text string `json:"text" yaml:"text"`
}

func (p noteLocal) Faults(stateDir string) *targets.Registry {
	r := p.Local.Faults(stateDir)
	r.Register(targets.Kind{
		Spelling: scenarios.Spell(scenarios.KindSpec{Name: "note", Selects: true}, func(n *noteParams, r scenarios.Rules) {
			if n.Text == "" {
				r.Errorf("text", "missing text; expected what to note")
			}
		}),
		Build: func(context.Context, targets.Session, targets.Step) (injectors.Fault, error) {
			return nil, errors.New("note builds nothing")
		},
		Rebuild: func(json.RawMessage) (injectors.Fault, error) { return nil, errors.New("note rebuilds nothing") },
	})
	return r
}

func withNoteProvider(t *testing.T) {
	saved := buildProviders
	buildProviders = func() providers.Set { return providers.New(noteLocal{}) }
	t.Cleanup(func() { buildProviders = saved })
}

func noteScenario(t *testing.T, note string) string {
	path := filepath.Join(t.TempDir(), "note.yaml")
	src := `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: note}
spec:
  target:
    local: {topology: galera, nodes: 3}
  workload: {kind: ledger, duration: 60s}
  faults:
    - {at: 10s, for: 10s, select: {nodes: [n1]}, note: ` + note + `}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// validate, plan and check load a kind registered whole with its
// provider's spelling: its errors are positioned, plan prints it with its
// params, check reloads it from a run directory.
func TestCLILoadsKindsRegisteredWhole(t *testing.T) {
	withNoteProvider(t)
	bad := noteScenario(t, "{txt: hello}")
	code, _, stderr := run(t, "validate", bad)
	for _, want := range []string{
		bad + `:9:57: spec.faults[0].note.txt: unknown field "txt"; did you mean "text"?`,
		bad + `:9:56: spec.faults[0].note.text: missing text; expected what to note`,
	} {
		if code != ExitHarness || !strings.Contains(stderr, want) {
			t.Errorf("validate: exit %d, want %d and %q in:\n%s", code, ExitHarness, want, stderr)
		}
	}
	good := noteScenario(t, "{text: hello}")
	code, stdout, stderr := run(t, "plan", good, "--host=false")
	if code != 0 || !strings.Contains(stdout, "note") || !strings.Contains(stdout, "hello") {
		t.Errorf("plan: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "plan", good, "-o", "json", "--host=false")
	var p scenarios.Plan
	if err := json.Unmarshal([]byte(stdout), &p); code != 0 || err != nil || len(p.Steps) != 1 || p.Steps[0].Kind != "note" || !strings.Contains(string(p.Steps[0].Params), `"text": "hello"`) {
		t.Errorf("plan -o json: exit %d, err %v:\n%s", code, err, stdout)
	}
	dir := t.TempDir()
	src, _ := os.ReadFile(good)
	for name, data := range map[string][]byte{history.FileScenario: src, history.FileHistory: nil} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := run(t, "check", dir); code == ExitHarness {
		t.Errorf("check: harness error:\n%s", stderr)
	}
}
