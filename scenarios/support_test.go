package scenarios

import (
	"strings"
	"testing"
)

// What a target supports comes from the providers of the build: a fault kind
// the target's provider does not build, or a target kind without a provider,
// is refused at its position before anything is touched.
func TestValidateSupport(t *testing.T) {
	sup := Support{TargetLocal: {FaultPartition, FaultKill, FaultPromote}}
	for _, c := range []struct {
		name      string
		d         doc
		path, msg string
	}{
		{"podKill on local", doc{faults: step("podKill: {}")}, "spec.faults[0].podKill", "podKill cannot be injected on a local target; expected one of partition, kill, promote"},
		{"kind not built", doc{faults: step("latency: {delay: 10ms}")}, "spec.faults[0].latency", "cannot be injected on a local target"},
		{"no provider", doc{target: kubeTarget, faults: step("kill: {}")}, "spec.target.kubernetes", "no provider for kubernetes targets; expected one of local"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := load(t, c.d)
			err := ValidateSupport(s, sup)
			if err == nil {
				t.Fatal("accepted")
			}
			es := err.(ErrorList)
			if len(es) != 1 || es[0].Path != c.path || !strings.Contains(es[0].Msg, c.msg) || es[0].Pos.Line == 0 {
				t.Fatalf("got %v; want %s: …%s… with a position", err, c.path, c.msg)
			}
		})
	}
	if err := ValidateSupport(load(t, doc{faults: step("select: {nodes: [n1]}", "kill: {}")}), sup); err != nil {
		t.Fatalf("a supported step refused: %v", err)
	}
}
