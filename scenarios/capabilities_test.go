package scenarios

import (
	"strings"
	"testing"
)

func TestValidateFor(t *testing.T) {
	s := load(t, doc{
		target: "  target:\n    local: {topology: galera, nodes: 3, diskFaults: true}\n",
		faults: "    - {at: 1s, for: 5s, select: {nodes: [n1]}, latency: {delay: 50ms}}\n" +
			"    - {at: 1s, for: 5s, select: {nodes: [n1]}, clockSkew: {offset: 1h}}\n" +
			"    - {at: 1s, for: 5s, select: {nodes: [n1]}, diskThrottle: {writeIops: 20}}\n" +
			"    - {at: 10s, for: 5s, select: {nodes: [n1]}, diskFault: {delay: 5ms}}\n" +
			"    - {at: 1s, for: 5s, select: {nodes: [n2]}, kill: {}}\n",
	})
	none := Capabilities{Reasons: map[string]string{"netem": "sch_netem module missing", "nfqueue": "no iptables NFQUEUE target"}}
	err := ValidateFor(s, none)
	if err == nil {
		t.Fatal("a host without capabilities accepted latency, clockSkew and disk faults")
	}
	errs := err.(ErrorList)
	if len(errs) != 4 {
		t.Fatalf("got %d errors, want 4 (kill needs nothing):\n%v", len(errs), err)
	}
	lat := find(errs, "spec.faults[0].latency")
	if lat == nil || lat.Line != 12 || !strings.Contains(lat.Msg, "sch_netem module missing") || !strings.Contains(lat.Msg, "netem or nfqueue") {
		t.Errorf("latency error %v: want line 12, both reasons", lat)
	}
	for _, p := range []string{"spec.faults[1].clockSkew", "spec.faults[2].diskThrottle", "spec.faults[3].diskFault"} {
		if find(errs, p) == nil {
			t.Errorf("no error for %s", p)
		}
	}
	if err := ValidateFor(s, Capabilities{NFQueue: true, Faketime: true, Blkio: true, FUSE: true}); err != nil {
		t.Errorf("a capable host (NFQUEUE, no netem) rejected the scenario: %v", err)
	}
	kube := load(t, doc{target: kubeTarget, faults: step("clockSkew: {offset: 1h}")})
	if err := ValidateFor(kube, Capabilities{}); err != nil {
		t.Errorf("kubernetes target checked against local host capabilities: %v", err)
	}
}
