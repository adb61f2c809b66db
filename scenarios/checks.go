package scenarios

import (
	"fmt"
	"strings"

	"faultline.dev/faultline/verify"
)

// Isolation models for the list-append checker.
var models = []string{"read-committed", "snapshot-isolation", "serializable", "strict-serializable"}

func (v *validator) verify() {
	const p = "spec.verify"
	vf := v.s.Spec.Verify
	kind := v.s.Spec.Workload.Kind
	seen := map[string]bool{}
	for i, c := range vf.Checks {
		cp := index(join(p, "checks"), i)
		switch {
		case !contains(verify.AllChecks(), c):
			v.errorf(cp, "unknown check %q; %s", c, suggest(c, verify.AllChecks()))
		case seen[c]:
			v.errorf(cp, "check %q listed twice; expected each check once", c)
		case contains(workloadKinds, kind) && !applies(c, kind):
			v.errorf(cp, "check %s does not apply to %s workloads; expected some of %s", c, kind, strings.Join(verify.ChecksFor(kind), ", "))
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
	v.inversionsAllowed(p, vf.TimestampOrder, seen, len(vf.Checks) > 0)
	for name, d := range map[string]Duration{"convergence": vf.Convergence, "timeout": vf.Timeout} {
		if v.has(join(p, name)) && d <= 0 {
			v.errorf(join(p, name), "%s %s; expected a duration > 0", name, d)
		}
	}
}

// applies asks verify, which owns the table, whether a check runs for a
// workload kind.
func applies(check, kind string) bool { return contains(verify.ChecksFor(kind), check) }

// threshold checks an optional RPO/RTO bound: not negative, its check runs
// for the workload (a threshold nothing measures would pass silently), and,
// when checks are listed, its check is among them.
func (v *validator) threshold(p, field, check string, d *Duration, checks map[string]bool, explicit bool) {
	if d == nil {
		return
	}
	if *d < 0 {
		v.errorf(join(p, field), "%s %s; expected a duration ≥ 0", field, *d)
	}
	kind := v.s.Spec.Workload.Kind
	switch {
	case contains(workloadKinds, kind) && !applies(check, kind):
		v.errorf(join(p, field), "%s threshold, but the %s check does not apply to %s workloads (verify runs %s for them); expected no %s",
			field, check, kind, strings.Join(verify.ChecksFor(kind), ", "), field)
	case explicit && !checks[check]:
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
	switch dur := v.s.Spec.Workload.Duration; {
	case a.For <= 0:
		v.errorf(join(p, "for"), "for %s; expected how long the error rate must last, a duration > 0", a.For)
	case dur > 0 && a.For >= dur:
		v.errorf(join(p, "for"), "for %s is not shorter than the workload (%s), so the abort can never fire; expected for < workload.duration", a.For, dur)
	}
}
