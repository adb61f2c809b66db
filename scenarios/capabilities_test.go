package scenarios

import (
	"encoding/json"
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

// A plan marked with injected capabilities: latency without netem is
// degraded (NFQUEUE), clockSkew without faketime unavailable, the rest ok;
// the table shows a column and a line per marked step, JSON a host field.
func TestPlanMarksHost(t *testing.T) {
	s := load(t, doc{faults: "    - {at: 1s, for: 5s, select: {nodes: [n1]}, latency: {delay: 50ms}}\n" +
		"    - {at: 2s, for: 5s, select: {nodes: [n2]}, clockSkew: {offset: 1h}}\n" +
		"    - {at: 3s, for: 5s, select: {nodes: [n3]}, kill: {}}\n"})
	p := NewPlan(s, 1)
	if !p.NeedsHost() {
		t.Fatal("a plan with latency and clockSkew does not need the host")
	}
	p.MarkHost(Capabilities{NFQueue: true, Blkio: true, FUSE: true,
		Reasons: map[string]string{"netem": "sch_netem missing", "faketime": "libfaketimeMT.so.1 not found"}})
	want := []HostSupport{
		{HostDegraded, "through NFQUEUE and an in-process delaying consumer instead of netem (netem: sch_netem missing)"},
		{HostUnavailable, "faketime: libfaketimeMT.so.1 not found"},
		{HostOK, ""},
	}
	for i, w := range want {
		if got := p.Steps[i].Host; got == nil || *got != w {
			t.Errorf("%s: host %+v, want %+v", p.Steps[i].ID, got, w)
		}
	}
	var b strings.Builder
	if err := p.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"ON THIS HOST", "DEGRADED", "UNAVAILABLE",
		"step-1 latency: degraded on this host: through NFQUEUE",
		"step-2 clockSkew: unavailable on this host, faultline run refuses it: faketime: libfaketimeMT.so.1 not found"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("table lacks %q:\n%s", line, b.String())
		}
	}
	js, _ := json.Marshal(p.Steps[0])
	if !strings.Contains(string(js), `"host":{"status":"degraded","detail":"through NFQUEUE`) {
		t.Errorf("JSON step lacks the host field: %s", js)
	}
	unmarked := NewPlan(s, 1)
	if b.Reset(); unmarked.WriteTable(&b) != nil || strings.Contains(b.String(), "ON THIS HOST") {
		t.Errorf("an unmarked plan shows a host column:\n%s", b.String())
	}
	kube := NewPlan(load(t, doc{target: kubeTarget, faults: step("clockSkew: {offset: 1h}")}), 1)
	if kube.MarkHost(Capabilities{}); kube.Steps[0].Host != nil || kube.NeedsHost() {
		t.Error("a kubernetes plan was marked with this host's capabilities")
	}
}
