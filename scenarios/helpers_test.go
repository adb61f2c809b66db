package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// doc assembles a scenario document from sections; an empty section takes
// the default of a valid 3-node galera ledger scenario.
type doc struct {
	head, target, workload, faults, verify, abort string
}

const (
	defHead   = "apiVersion: faultline.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: t\n"
	defTarget = `  target:
    local:
      topology: galera
      nodes: 3
`
	defWorkload = `  workload:
    kind: ledger
    duration: 60s
`
	replTarget = `  target:
    local:
      topology: replication
      nodes: 3
`
	kubeTarget = `  target:
    kubernetes:
      namespace: db
      statefulSet: mariadb
      topology: galera
`
)

func (d doc) String() string {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	var b strings.Builder
	b.WriteString(or(d.head, defHead))
	b.WriteString("spec:\n")
	b.WriteString(or(d.target, defTarget))
	b.WriteString(or(d.workload, defWorkload))
	if d.faults != "" {
		b.WriteString("  faults:\n" + d.faults)
	}
	if d.verify != "" {
		b.WriteString("  verify:\n" + d.verify)
	}
	if d.abort != "" {
		b.WriteString("  abort:\n" + d.abort)
	}
	return b.String()
}

// step is a one-step faults section at 10s for 10s with extra lines.
func step(lines ...string) string {
	s := "    - at: 10s\n      for: 10s\n"
	for _, l := range lines {
		s += "      " + l + "\n"
	}
	return s
}

// errorsOf loads text and returns its ErrorList (nil when it loads).
func errorsOf(t *testing.T, text string) ErrorList {
	t.Helper()
	_, err := LoadBytes("t.yaml", []byte(text))
	if err == nil {
		return nil
	}
	var l ErrorList
	if !errors.As(err, &l) {
		t.Fatalf("error is %T, want ErrorList: %v", err, err)
	}
	return l
}

// ruleCase breaks one rule: loading doc gives one error on path whose
// message contains contains.
type ruleCase struct {
	name     string
	doc      doc
	path     string
	contains string
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantOneError(t, tc.doc, tc.path, tc.contains) })
	}
}

// wantOneError loads d and wants exactly one error, on path, at a real
// position, with a message containing contains.
func wantOneError(t *testing.T, d doc, path, contains string) {
	t.Helper()
	errs := errorsOf(t, d.String())
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1 on %s:\n%v\n--- document:\n%s", len(errs), path, errs, d)
	}
	e := errs[0]
	if e.Path != path || !strings.Contains(e.Msg, contains) {
		t.Errorf("got %v\nwant path %s and a message containing %q", e, path, contains)
	}
	if e.File != "t.yaml" || e.Line == 0 || e.Column == 0 {
		t.Errorf("error %v has no file:line:col", e)
	}
}
