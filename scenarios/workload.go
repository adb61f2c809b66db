package scenarios

import "strings"

var workloadKinds = []string{WorkloadLedger, WorkloadBank, WorkloadListAppend, WorkloadRegister}

// workloadFields lists the fields that apply only to some workload kinds.
var workloadFields = []struct {
	field string
	kinds []string
}{
	{"keys", []string{WorkloadListAppend, WorkloadRegister}},
	{"accounts", []string{WorkloadBank}},
	{"total", []string{WorkloadBank}},
	{"lockingReads", []string{WorkloadBank}},
	{"minTxnLength", []string{WorkloadListAppend}},
	{"maxTxnLength", []string{WorkloadListAppend}},
	{"readFraction", []string{WorkloadListAppend, WorkloadRegister, WorkloadLedger}},
}

func (v *validator) workload() {
	const p = "spec.workload"
	w := &v.s.Spec.Workload
	switch {
	case w.Kind == "":
		v.errorf(join(p, "kind"), "missing kind; expected %s", oneOf(workloadKinds...))
	case !contains(workloadKinds, w.Kind):
		v.errorf(join(p, "kind"), "unknown workload kind %q; expected %s", w.Kind, oneOf(workloadKinds...))
	default:
		v.workloadFields(p, w.Kind)
	}
	switch {
	case w.Duration == 0 && !v.has(join(p, "duration")):
		v.errorf(join(p, "duration"), "missing duration; expected how long the workload runs, like 60s")
	case w.Duration <= 0:
		v.errorf(join(p, "duration"), "duration %s; expected a duration > 0", w.Duration)
	}
	v.positive(join(p, "clients"), w.Clients, 1)
	v.positive(join(p, "keys"), w.Keys, 1)
	v.positive(join(p, "accounts"), w.Accounts, 2)
	v.positive(join(p, "minTxnLength"), w.MinTxnLength, 1)
	v.positive(join(p, "maxTxnLength"), w.MaxTxnLength, 1)
	if w.Rate < 0 {
		v.errorf(join(p, "rate"), "rate %s; expected ≥ 0 (0 = unlimited)", w.Rate)
	}
	if v.has(join(p, "opTimeout")) && w.OpTimeout <= 0 {
		v.errorf(join(p, "opTimeout"), "opTimeout %s; expected a duration > 0", w.OpTimeout)
	}
	if w.OpenLoop && w.Rate <= 0 {
		v.errorf(join(p, "openLoop"), "openLoop needs a rate; expected rate > 0, like 200/s")
	}
	if w.MaxTxnLength > 0 && w.MinTxnLength > w.MaxTxnLength {
		v.errorf(join(p, "minTxnLength"), "minTxnLength %d > maxTxnLength %d; expected min ≤ max", w.MinTxnLength, w.MaxTxnLength)
	}
	if w.MaxTxnLength == 0 && w.MinTxnLength > DefaultMaxTxnLength {
		v.errorf(join(p, "minTxnLength"), "minTxnLength %d > default maxTxnLength %d; expected min ≤ max", w.MinTxnLength, DefaultMaxTxnLength)
	}
	switch f := w.ReadFraction; {
	case f != nil && (*f < 0 || *f > 1):
		v.errorf(join(p, "readFraction"), "readFraction %g; expected a fraction 0..1", *f)
	case f != nil && *f > 0 && w.Kind == WorkloadLedger:
		// the workload refuses it when the run starts (workloads.Validate)
		v.errorf(join(p, "readFraction"), "readFraction %g with kind ledger: the ledger only adds values and its final read checks them; expected 0 or no readFraction", *f)
	}
	accounts := w.Accounts
	if accounts == 0 {
		accounts = DefaultAccounts
	}
	if w.Total < 0 || (w.Total > 0 && w.Total < int64(accounts)) {
		v.errorf(join(p, "total"), "total %d; expected at least one unit per account (%d)", w.Total, accounts)
	}
	v.routing(join(p, "routing"), w.Routing)
}

// positive checks an optional integer written in the file is ≥ least.
func (v *validator) positive(path string, x, least int) {
	if (x != 0 || v.has(path)) && x < least {
		v.errorf(path, "%d; expected at least %d", x, least)
	}
}

// workloadFields rejects fields that do not apply to the workload kind.
func (v *validator) workloadFields(p, kind string) {
	for _, f := range workloadFields {
		if v.has(join(p, f.field)) && !contains(f.kinds, kind) {
			v.errorf(join(p, f.field), "%s does not apply to %s workloads; expected it only with kind %s", f.field, kind, strings.Join(f.kinds, " or "))
		}
	}
}

func (v *validator) routing(path, r string) {
	switch {
	case r == "" || r == RoutingPrimary || r == RoutingAny:
	case v.scope.known() && !v.scope.isNode(r):
		v.errorf(path, "routing %q; expected primary, any or a node name (%s)", r, strings.Join(v.scope.nodes, ", "))
	case !dns1123Label.MatchString(r):
		v.errorf(path, "routing %q; expected primary, any or a node name", r)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
