package scenarios

import (
	"fmt"
	"strings"
)

// Isolation models for the list-append checker.
var models = []string{"read-committed", "snapshot-isolation", "serializable", "strict-serializable"}

// allChecks in report order.
var allChecks = []string{CheckLostWrites, CheckSplitBrain, CheckRPO, CheckRTO,
	CheckBank, CheckLinearizable, CheckIsolation, CheckConvergence}

// ChecksFor lists the checks that apply to a workload kind, in report order.
func ChecksFor(workloadKind string) []string {
	var out []string
	for _, c := range allChecks {
		if checkApplies(c, workloadKind) {
			out = append(out, c)
		}
	}
	return out
}

func checkApplies(check, kind string) bool {
	switch check {
	case CheckBank:
		return kind == WorkloadBank
	case CheckLinearizable:
		return kind == WorkloadRegister
	case CheckIsolation:
		return kind == WorkloadListAppend
	}
	return contains(allChecks, check)
}

func (v *validator) verify() {
	const p = "spec.verify"
	vf := v.s.Spec.Verify
	kind := v.s.Spec.Workload.Kind
	seen := map[string]bool{}
	for i, c := range vf.Checks {
		cp := index(join(p, "checks"), i)
		switch {
		case !contains(allChecks, c):
			v.errorf(cp, "unknown check %q; %s", c, suggest(c, allChecks))
		case seen[c]:
			v.errorf(cp, "check %q listed twice; expected each check once", c)
		case contains(workloadKinds, kind) && !checkApplies(c, kind):
			v.errorf(cp, "check %s does not apply to %s workloads; expected some of %s", c, kind, strings.Join(ChecksFor(kind), ", "))
		}
		seen[c] = true
	}
	if vf.Model != "" && !contains(models, vf.Model) {
		v.errorf(join(p, "model"), "unknown model %q; expected %s", vf.Model, oneOf(models...))
	}
	if vf.Model != "" && kind != WorkloadListAppend && contains(workloadKinds, kind) {
		v.errorf(join(p, "model"), "model applies to list-append workloads; expected no model with kind %s", kind)
	}
	v.threshold(p, "rpo", CheckRPO, vf.RPO, seen, len(vf.Checks) > 0)
	v.threshold(p, "rto", CheckRTO, vf.RTO, seen, len(vf.Checks) > 0)
	v.threshold(p, "healRto", CheckRTO, vf.HealRTO, seen, len(vf.Checks) > 0)
	for name, d := range map[string]Duration{"convergence": vf.Convergence, "timeout": vf.Timeout} {
		if v.has(join(p, name)) && d <= 0 {
			v.errorf(join(p, name), "%s %s; expected a duration > 0", name, d)
		}
	}
}

// threshold checks an optional RPO/RTO bound and that its check runs.
func (v *validator) threshold(p, field, check string, d *Duration, checks map[string]bool, explicit bool) {
	if d == nil {
		return
	}
	if *d < 0 {
		v.errorf(join(p, field), "%s %s; expected a duration ≥ 0", field, *d)
	}
	if explicit && !checks[check] {
		v.errorf(join(p, field), "%s threshold without the %s check; expected %s in verify.checks", field, check, check)
	}
}

func (v *validator) abort() {
	a := v.s.Spec.Abort
	if a == nil {
		return
	}
	const p = "spec.abort"
	if a.ErrorRate <= 0 || a.ErrorRate > 1 {
		v.errorf(join(p, "errorRate"), "errorRate %s; expected a fraction of failed operations in (0, 1], like 0.5", fmt.Sprint(a.ErrorRate))
	}
	if a.For <= 0 {
		v.errorf(join(p, "for"), "for %s; expected how long the error rate must last, a duration > 0", a.For)
	}
}
