package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, d doc) *Scenario {
	t.Helper()
	s, err := LoadBytes("t.yaml", []byte(d.String()))
	if err != nil {
		t.Fatalf("load:\n%v\n--- document:\n%s", err, d)
	}
	return s
}

func TestDefaultsGaleraLedger(t *testing.T) {
	s := load(t, doc{})
	l, w, v := s.Spec.Target.Local, s.Spec.Workload, s.Spec.Verify
	checks := []struct {
		name      string
		got, want any
	}{
		{"zones", l.Zones, []string{"a", "b", "c"}},
		{"lab", l.Name, "fl-t"},
		{"faketime", *l.Faketime, true},
		{"diskSize", l.DiskSize, Size(512 << 20)},
		{"semiSync unset on galera", l.SemiSync, (*bool)(nil)},
		{"clients", w.Clients, 4},
		{"opTimeout", w.OpTimeout.D(), 5 * time.Second},
		{"routing", w.Routing, "any"},
		{"readFraction", *w.ReadFraction, 0.0},
		{"checks", v.Checks, []string{"lost-writes", "split-brain", "rpo", "rto", "convergence", "timestamp-order"}},
		{"convergence", v.Convergence.D(), time.Minute},
		{"timeout", v.Timeout.D(), time.Minute},
		{"model", v.Model, ""},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDefaultsPerWorkloadAndTopology(t *testing.T) {
	repl := load(t, doc{target: replTarget})
	if l := repl.Spec.Target.Local; !*l.SemiSync || l.SemiSyncTimeout.D() != 10*time.Second || repl.Spec.Workload.Routing != "primary" {
		t.Errorf("replication defaults: semiSync %v timeout %v routing %s", *l.SemiSync, l.SemiSyncTimeout, repl.Spec.Workload.Routing)
	}
	bank := load(t, doc{workload: "  workload: {kind: bank, duration: 1m, accounts: 7}\n"})
	if w := bank.Spec.Workload; w.Total != 700 || w.ReadFraction != nil {
		t.Errorf("bank: total %d readFraction %v, want 700 and unset", w.Total, w.ReadFraction)
	}
	if c := bank.Spec.Verify.Checks; !reflect.DeepEqual(c, []string{"bank", "split-brain", "rto", "convergence"}) {
		t.Errorf("bank checks %v", c)
	}
	la := load(t, doc{workload: "  workload: {kind: list-append, duration: 1m}\n"})
	if w := la.Spec.Workload; w.Keys != 10 || w.MinTxnLength != 1 || w.MaxTxnLength != 4 || *w.ReadFraction != 0.5 || la.Spec.Verify.Model != "serializable" {
		t.Errorf("list-append defaults: %+v model %s", w, la.Spec.Verify.Model)
	}
	reg := load(t, doc{workload: "  workload: {kind: register, duration: 1m}\n"})
	if c := reg.Spec.Verify.Checks; !reflect.DeepEqual(c, []string{"linearizable", "split-brain", "rto", "convergence"}) {
		t.Errorf("register checks %v", c)
	}
	// Defaults is idempotent.
	before := *reg
	reg.Defaults()
	if !reflect.DeepEqual(before.Spec, reg.Spec) {
		t.Error("a second Defaults changed the scenario")
	}
}

func TestLabName(t *testing.T) {
	name := func(meta, lab string) string {
		s := &Scenario{Metadata: Metadata{Name: meta}, Spec: Spec{Target: Target{Local: &LocalTarget{Name: lab}}}}
		return LabName(s)
	}
	if got := name("demo", ""); got != "fl-demo" {
		t.Errorf("short name: %s", got)
	}
	if got := name("galera-minority-partition", "mylab"); got != "mylab" {
		t.Errorf("explicit name: %s", got)
	}
	a, b := name("galera-minority-partition", ""), name("galera-zone-loss", "")
	for _, n := range []string{a, b} {
		if len(n) > MaxLabName || !strings.HasPrefix(n, "fl-gal") {
			t.Errorf("long name %q: want fl-gal… of at most %d characters", n, MaxLabName)
		}
		if veth := n + "-n9"; len(veth) > 15 {
			t.Errorf("interface name %q longer than 15", veth)
		}
	}
	if a == b {
		t.Errorf("two long names share lab name %s", a)
	}
}
