package reports

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"faultline.dev/faultline/history"
)

// parseJUnit parses junit.xml and checks it against the subset of the JUnit
// XSD that CI systems rely on: required attributes present and well-typed,
// and the counts consistent with the test cases.
func parseJUnit(t *testing.T, doc string) junitSuite {
	t.Helper()
	var root junitSuites
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	if root.XMLName.Local != "testsuites" || len(root.Suites) != 1 {
		t.Fatalf("junit.xml root %q with %d suites, want testsuites with 1", root.XMLName.Local, len(root.Suites))
	}
	s := root.Suites[0]
	requireDecimal(t, "testsuite time", s.Time)
	if s.Name == "" {
		t.Error("testsuite without name")
	}
	var fails, errs, skipped int
	for _, c := range s.Cases {
		if c.Name == "" || c.Classname == "" {
			t.Errorf("testcase without name or classname: %+v", c)
		}
		requireDecimal(t, "testcase "+c.Name+" time", c.Time)
		if c.Failure != nil {
			fails++
			if c.Failure.Message == "" || c.Failure.Type == "" {
				t.Errorf("testcase %s: failure without message/type", c.Name)
			}
		}
		if c.Error != nil {
			errs++
		}
		if c.Skipped != nil {
			skipped++
		}
		if (c.Failure != nil) && (c.Error != nil) || (c.Failure != nil || c.Error != nil) && c.Skipped != nil {
			t.Errorf("testcase %s has more than one of failure, error and skipped", c.Name)
		}
	}
	if s.Tests != len(s.Cases) || s.Failures != fails || s.Errors != errs || s.Skipped != skipped {
		t.Errorf("testsuite counts tests=%d failures=%d errors=%d skipped=%d, cases say %d/%d/%d/%d",
			s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), fails, errs, skipped)
	}
	if root.Tests != s.Tests || root.Failures != s.Failures || root.Errors != s.Errors || root.Skipped != s.Skipped {
		t.Errorf("testsuites counts %d/%d/%d/%d differ from the suite's", root.Tests, root.Failures, root.Errors, root.Skipped)
	}
	return s
}

func requireDecimal(t *testing.T, what, v string) {
	t.Helper()
	if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
		t.Errorf("%s = %q, want a non-negative decimal", what, v)
	}
}

func TestJUnit(t *testing.T) {
	dir := copyRun(t, testdataRun)
	must(t, RenderAll(dir))
	b, err := os.ReadFile(filepath.Join(dir, history.FileJUnit))
	must(t, err)
	s := parseJUnit(t, string(b))
	if s.Name != "ledger-partition" || s.Tests != 5 || s.Failures != 2 || s.Errors != 0 {
		t.Errorf("suite %s: tests=%d failures=%d errors=%d, want 5/2/0", s.Name, s.Tests, s.Failures, s.Errors)
	}
	byName := map[string]junitCase{}
	for _, c := range s.Cases {
		byName[c.Name] = c
	}
	if c := byName["lost-writes"]; c.Failure == nil || c.Failure.Type != "invalid" {
		t.Errorf("lost-writes case = %+v, want a failure", c)
	}
	if c := byName["step-1 partition effect"]; c.Failure != nil || c.Error != nil || c.Time != "15.000" {
		t.Errorf("fault case = %+v, want a pass lasting 15s", c)
	}
}
