// Package fltest runs faultline scenarios inside Go test suites (Ginkgo
// specs in particular) and judges their results with Gomega matchers whose
// failure messages carry the evidence: the lost writes with their
// acknowledgement times, the split-brain interval, the window that
// breached.
//
//	res := fltest.Run(ctx, "galera-kill-rejoin", fltest.Options{})
//	Expect(res).To(fltest.HaveNoLostWrites())
//	Expect(res).To(fltest.HaveRTOWithin(10 * time.Second))
package fltest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/verify"
)

// verdicts reads what a matcher is given: a *runner.Result, a
// []verify.Verdict or a run directory (string).
func verdicts(actual any) ([]verify.Verdict, error) {
	switch a := actual.(type) {
	case *runner.Result:
		if a == nil {
			return nil, fmt.Errorf("no result (nil *runner.Result)")
		}
		return a.Verdicts, nil
	case []verify.Verdict:
		return a, nil
	case string:
		b, err := os.ReadFile(filepath.Join(a, history.FileVerdicts))
		if err != nil {
			return nil, err
		}
		var vs []verify.Verdict
		return vs, json.Unmarshal(b, &vs)
	}
	return nil, fmt.Errorf("want a *runner.Result, []verify.Verdict or a run directory, got %T", actual)
}

// matcher judges verdicts; failure explains with the evidence.
type matcher struct {
	want    string
	judge   func(vs []verify.Verdict) (ok bool, why []verify.Verdict, missing string)
	lastWhy []verify.Verdict
	missing string
}

func (m *matcher) Match(actual any) (bool, error) {
	vs, err := verdicts(actual)
	if err != nil {
		return false, err
	}
	ok, why, missing := m.judge(vs)
	m.lastWhy, m.missing = why, missing
	return ok, nil
}

func (m *matcher) FailureMessage(any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Expected the run to %s, but:\n", m.want)
	if m.missing != "" {
		fmt.Fprintf(&b, "  %s\n", m.missing)
	}
	for _, v := range m.lastWhy {
		b.WriteString(reports.EvidenceText(v))
	}
	return b.String()
}

func (m *matcher) NegatedFailureMessage(any) string {
	return fmt.Sprintf("Expected the run not to %s, but it did", m.want)
}

// check finds a check's verdict.
func check(vs []verify.Verdict, name string) (verify.Verdict, bool) {
	for _, v := range vs {
		if v.Check == name {
			return v, true
		}
	}
	return verify.Verdict{}, false
}

// BeValid succeeds when every check is valid or measured (a measured
// check has no threshold and judges nothing).
func BeValid() types.GomegaMatcher {
	return &matcher{want: "be valid", judge: func(vs []verify.Verdict) (bool, []verify.Verdict, string) {
		var bad []verify.Verdict
		for _, v := range vs {
			if v.Status != verify.Valid && v.Status != verify.Measured {
				bad = append(bad, v)
			}
		}
		if len(vs) == 0 {
			return false, nil, "no verdicts were recorded"
		}
		return len(bad) == 0, bad, ""
	}}
}

// validCheck succeeds when the named check ran and is valid.
func validCheck(name, want string) types.GomegaMatcher {
	return &matcher{want: want, judge: func(vs []verify.Verdict) (bool, []verify.Verdict, string) {
		v, ok := check(vs, name)
		if !ok {
			return false, nil, "the run has no " + name + " verdict"
		}
		return v.Status == verify.Valid, []verify.Verdict{v}, ""
	}}
}

// HaveNoLostWrites succeeds when no acknowledged write is missing.
func HaveNoLostWrites() types.GomegaMatcher {
	return validCheck(verify.NameLostWrites, "have no lost writes")
}

// HaveNoSplitBrain succeeds when no two nodes accepted writes apart.
func HaveNoSplitBrain() types.GomegaMatcher {
	return validCheck(verify.NameSplitBrain, "have no split-brain")
}

// HaveRPOWithin succeeds when every fault window's RPO is at most d,
// whatever threshold the scenario set.
func HaveRPOWithin(d time.Duration) types.GomegaMatcher {
	return windowsWithin(verify.NameRPO, "rpo", d)
}

// HaveRTOWithin succeeds when every fault window's RTO (the cluster's
// longest write outage) is at most d.
func HaveRTOWithin(d time.Duration) types.GomegaMatcher {
	return windowsWithin(verify.NameRTO, "rto", d)
}

func windowsWithin(name, metric string, d time.Duration) types.GomegaMatcher {
	return &matcher{want: fmt.Sprintf("have %s within %v", metric, d), judge: func(vs []verify.Verdict) (bool, []verify.Verdict, string) {
		v, ok := check(vs, name)
		if !ok {
			return false, nil, "the run has no " + name + " verdict"
		}
		if v.Status == verify.Unknown {
			return false, []verify.Verdict{v}, ""
		}
		over := v
		over.Windows = nil
		for _, w := range v.Windows {
			if w.Metric == metric && w.Value > d.Nanoseconds() {
				lim := d.Nanoseconds()
				w.Threshold, w.Status = &lim, verify.Invalid
				over.Windows = append(over.Windows, w)
			}
		}
		return len(over.Windows) == 0, []verify.Verdict{over}, ""
	}}
}
