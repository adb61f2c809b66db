package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
)

// TestOutageSpellingErrors: a step of the kind registered by the fake
// provider is decoded strictly and checked by its own rules, every error
// at its file:line:col (the first step's mapping is on line 10, column 7).
func TestOutageSpellingErrors(t *testing.T) {
	for _, tc := range []struct{ name, faults, want string }{
		{"unknown field in its params", `- {at: 1s, outage: {cause: power, atmost: 1}}`,
			`lifecycle.yaml:10:39: spec.faults[0].outage.atmost: unknown field "atmost"; did you mean "atMost"?`},
		{"wrong type in its params", `- {at: 1s, outage: {cause: power, atMost: two}}`,
			`lifecycle.yaml:10:47: spec.faults[0].outage.atMost: got the string "two"; expected an integer`},
		{"its rules", `- {at: 1s, outage: {cause: fire, atMost: -1}}`,
			`lifecycle.yaml:10:32: spec.faults[0].outage.cause: cause "fire"; expected power or network
lifecycle.yaml:10:46: spec.faults[0].outage.atMost: atMost -1; expected a node count ≥ 0`},
		{"a missing field", `- {at: 1s, outage: {}}`,
			`lifecycle.yaml:10:24: spec.faults[0].outage.cause: missing cause; expected power or network`},
		{"its selector", `- {at: 1s, outage: {cause: power}, select: {nodes: [n7]}}`,
			`lifecycle.yaml:10:57: spec.faults[0].select.nodes[0]: unknown node "n7"; expected one of n1, n2, n3`},
		{"a misspelled kind", `- {at: 1s, outgae: {cause: power}}`,
			`lifecycle.yaml:10:7: spec.faults[0]: step has no fault; expected exactly one of partition, latency, bandwidth, clockSkew, diskThrottle, diskFault, kill, pause, restart, azDrain, podKill, rollingRestart, promote, outage
lifecycle.yaml:10:16: spec.faults[0].outgae: unknown field "outgae"; did you mean "outage"?`},
		{"with a built-in fault", `- {at: 1s, kill: {}, outage: {cause: power}}`,
			`lifecycle.yaml:10:34: spec.faults[0].outage: step has 2 faults (kill, outage); expected exactly one per step`},
		{"its family", "- {at: 1s, for: 1s, kill: {}, select: {nodes: [n1]}}\n- {at: 1s, outage: {cause: power}, select: {nodes: [n1]}}",
			`lifecycle.yaml:11:7: spec.faults[1]: step-2 overlaps step-1 (spec.faults[0]): both are process faults that may touch n1 while both hold; expected disjoint time windows or nodes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := lifecycleSource("galera", "3s", "", tc.faults)
			_, err := scenarios.LoadWith("lifecycle.yaml", []byte(src), fakeSpellings())
			if err == nil || err.Error() != tc.want {
				t.Errorf("errors:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}

// TestOutageNeedsItsSpelling: without the provider's spellings the kind is
// an unknown step field, as before kinds could be registered whole.
func TestOutageNeedsItsSpelling(t *testing.T) {
	src := lifecycleSource("galera", "3s", "", `- {at: 1s, outage: {cause: power}}`)
	_, err := scenarios.LoadBytes("lifecycle.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `lifecycle.yaml:10:16: spec.faults[0].outage: unknown field "outage"`) {
		t.Fatalf("err = %v; want outage refused as an unknown field", err)
	}
}

// TestOutagePlan: the plan prints the step (as `faultline plan` does) and
// carries its fields as JSON, the params its builder gets.
func TestOutagePlan(t *testing.T) {
	s, _ := lifecycleScenario(t, "galera", "3s", "", `- {at: 1s, for: 1s, outage: {cause: power, atMost: 2}, select: {random: 1}}`)
	p := scenarios.NewPlan(s, 1)
	var table bytes.Buffer
	if err := p.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "outage") || !strings.Contains(table.String(), "power") {
		t.Errorf("plan table has no outage step:\n%s", table.String())
	}
	var js bytes.Buffer
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back scenarios.Plan
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	var params bytes.Buffer
	if err := json.Compact(&params, back.Steps[0].Params); err != nil {
		t.Fatal(err)
	}
	if got, want := params.String(), `{"cause":"power","atMost":2}`; back.Steps[0].Kind != kindOutage || got != want {
		t.Errorf("plan.json step: kind %s params %s; want outage %s", back.Steps[0].Kind, got, want)
	}
}

// TestCheckLoadsRegisteredKinds: `faultline check` reloads scenario.yaml
// from the run directory, which holds an outage step only the provider's
// spellings accept; the run wrote plan.json with the step's params.
func TestCheckLoadsRegisteredKinds(t *testing.T) {
	s, src := lifecycleScenario(t, "galera", "2s", "", `- {at: 500ms, for: 500ms, outage: {cause: power}, select: {nodes: [n1]}}`)
	c := newFakeCluster(fmt.Sprintf("fake-check-%d", time.Now().UnixNano()), 3)
	res, err := Run(context.Background(), Options{Scenario: s, Source: src, OutDir: t.TempDir(), StateDir: t.TempDir(),
		Quiet: true, Providers: providers.New(fakeProvider{cluster: c}), Load: newFakeLoad(c), ProbeInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := os.ReadFile(filepath.Join(res.Dir, history.FilePlan))
	if err != nil || !strings.Contains(string(plan), `"params": {`) || !strings.Contains(string(plan), `"cause": "power"`) {
		t.Errorf("plan.json (err %v) has no outage params:\n%s", err, plan)
	}
	if _, err := Check(context.Background(), res.Dir); err == nil || !strings.Contains(err.Error(), `unknown field "outage"`) {
		t.Errorf("Check without spellings: err = %v; want outage unknown", err)
	}
	vs, err := Check(context.Background(), res.Dir, fakeSpellings()...)
	if err != nil || len(vs) == 0 {
		t.Fatalf("Check with spellings: %d verdicts, err %v", len(vs), err)
	}
}
