package scenarios

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestLoadReportsEveryMistake: a file with many different mistakes yields
// one positioned error per mistake, in file order (testdata/bad.golden).
func TestLoadReportsEveryMistake(t *testing.T) {
	_, err := Load("testdata/bad.yaml")
	if err == nil {
		t.Fatal("testdata/bad.yaml loaded")
	}
	errs := err.(ErrorList)
	if len(errs) < 5 {
		t.Fatalf("got %d errors, want at least 5:\n%v", len(errs), err)
	}
	got := err.Error() + "\n"
	if *update {
		if err := os.WriteFile("testdata/bad.golden", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/bad.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("errors differ from testdata/bad.golden (go test -update to rewrite):\ngot:\n%s\nwant:\n%s", got, want)
	}
	// Spot-check positions against the file itself.
	for _, c := range []struct {
		path      string
		line, col int
	}{
		{"apiVersion", 3, 13},
		{"spec.target.local.nodse", 11, 7},
		{"spec.workload.duration", 15, 15},
		{"spec.workload.clients", 16, 14},
		{"spec.faults[1].latency.loss", 23, 36},
		{"spec.verify.checks[1]", 26, 27},
	} {
		e := find(errs, c.path)
		if e == nil || e.File != "testdata/bad.yaml" || e.Line != c.line || e.Column != c.col {
			t.Errorf("%s: got %v, want testdata/bad.yaml:%d:%d", c.path, e, c.line, c.col)
		}
	}
}

func find(errs ErrorList, path string) *Error {
	for _, e := range errs {
		if e.Path == path {
			return e
		}
	}
	return nil
}

// TestDecodeErrors: strict decoding, each error positioned.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, path, contains string
		line                       int
		token                      string // the offending text; its column is expected
	}{
		{"unknown top field", defHead + "sepc: {}\n", "sepc", `did you mean "spec"`, 5, `sepc`},
		{"unknown far field", defHead + "zzzzzzzz: 1\n", "zzzzzzzz", "expected one of apiVersion", 5, `zzzzzzzz`},
		{"string for int", defHead + "spec:\n  target:\n    local: {topology: galera, nodes: \"3\"}\n", "spec.target.local.nodes", `got the string "3"; expected an integer`, 7, `"3"`},
		{"float for int", defHead + "spec:\n  target:\n    local: {topology: galera, nodes: 2.5}\n", "spec.target.local.nodes", "expected an integer", 7, `2.5`},
		{"list for string", defHead + "spec:\n  target:\n    local: {topology: [galera], nodes: 3}\n", "spec.target.local.topology", "got a list; expected a string", 7, `[galera]`},
		{"mapping for list", defHead + "spec:\n  faults: {at: 1s}\n", "spec.faults", "expected a list", 6, `{at`},
		{"bool", defHead + "spec:\n  target:\n    local: {topology: galera, nodes: 3, diskFaults: yes}\n", "spec.target.local.diskFaults", "expected true or false", 7, `yes`},
		{"bad duration", defHead + "spec:\n  workload: {kind: ledger, duration: 10 minutes}\n", "spec.workload.duration", "not a duration", 6, `10 minutes`},
		{"bad size", defHead + "spec:\n  target:\n    local: {topology: galera, nodes: 3, diskSize: 1 gigabyte}\n", "spec.target.local.diskSize", "not a size", 7, `1 gigabyte`},
		{"negative size", defHead + "spec:\n  target:\n    local: {topology: galera, nodes: 3, diskSize: -5MiB}\n", "spec.target.local.diskSize", "not a size", 7, `-5MiB`},
		{"bad rate", defHead + "spec:\n  workload: {kind: ledger, duration: 1m, rate: fast}\n", "spec.workload.rate", "not a rate", 6, `fast`},
		{"duplicate key", defHead + "spec:\n  workload: {kind: ledger, kind: bank}\n", "spec.workload.kind", "given twice", 6, `kind: bank`},
		{"fields in empty fault", defHead + "spec:\n  faults:\n    - {at: 1s, kill: {signal: 9}}\n", "spec.faults[0].kill.signal", "expected no fields", 7, `signal`},
		{"nan", defHead + "spec:\n  workload: {kind: register, duration: 1m, readFraction: .nan}\n", "spec.workload.readFraction", "expected a number", 6, `.nan`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("d.yaml", []byte(tc.text))
			if err == nil {
				t.Fatalf("decoded without error:\n%s", tc.text)
			}
			e := find(err.(ErrorList), tc.path)
			if e == nil {
				t.Fatalf("no error on %s; got:\n%v", tc.path, err)
			}
			col := strings.Index(strings.Split(tc.text, "\n")[tc.line-1], tc.token) + 1
			if !strings.Contains(e.Msg, tc.contains) || e.Line != tc.line || e.Column != col {
				t.Errorf("got %v\nwant d.yaml:%d:%d: %s: …%s…", e, tc.line, col, tc.path, tc.contains)
			}
		})
	}
}

func TestDocumentErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "d.yaml:1:1: empty file"},
		{"only a comment", "# nothing\n", "d.yaml:1:1: empty"},
		{"two documents", defHead + "---\n" + defHead, "d.yaml:5:1: file holds 2 YAML documents; expected exactly one Scenario per file"},
		{"syntax", "apiVersion: x\n  kind: : y\n", "d.yaml:2: invalid YAML"},
		{"scalar root", "hello\n", "d.yaml:1:1: got the string \"hello\"; expected a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes("d.yaml", []byte(tc.text))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v\nwant an error starting %q", err, tc.want)
			}
		})
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	text := defHead + `spec:
  target:
    local: {topology: galera, nodes: 3}
  workload: {kind: ledger, duration: 60s}
  faults:
    - &iso {at: 5s, for: 5s, select: {nodes: [n1]}, partition: {shape: isolate}}
    - <<: *iso
      at: 20s
`
	s, err := LoadBytes("a.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Spec.Faults[1]; got.At.D().Seconds() != 20 || got.Partition == nil || got.Select.Nodes[0] != "n1" {
		t.Errorf("merged step = %+v", got)
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	text := defHead + "x0: &a0 [n1, n1, n1, n1, n1, n1, n1, n1, n1, n1]\n"
	for i := 1; i < 9; i++ {
		text += strings.ReplaceAll("xI: &aI [*aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP]\n", "I", string(rune('0'+i)))
		text = strings.ReplaceAll(text, "aP", "a"+string(rune('0'+i-1)))
	}
	text += "spec:\n  verify:\n    checks: *a8\n"
	_, err := LoadBytes("bomb.yaml", []byte(text))
	if err == nil {
		t.Fatal("alias bomb loaded")
	}
}
