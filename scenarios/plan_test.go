package scenarios

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const planDoc = `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: plan-demo
spec:
  seed: 99
  target:
    local: {topology: replication, nodes: 5, zones: [a, a, b, b, c]}
  workload: {kind: ledger, duration: 60s, rate: 200/s}
  faults:
    - {name: cut, at: 30s, for: 10s, partition: {shape: groups, groups: [[n1, n2], [n3, n4, n5]]}}
    - {at: 5s, for: 10s, select: {role: replicas, random: 1}, clockSkew: {offset: -2h}}
    - {at: 10s, for: 5s, select: {nodes: [n4, n5]}, bandwidth: {rate: 1MiB, direction: out}}
    - {at: 45s, for: 4s, azDrain: {zone: b}}
    - {name: failover, at: 50s, select: {nodes: [n3]}, promote: {}}
`

func TestNewPlan(t *testing.T) {
	s, err := LoadBytes("plan.yaml", []byte(planDoc))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(s, 0)
	if p.Seed != 99 || NewPlan(s, 7).Seed != 7 {
		t.Errorf("seed: spec 99 gives %d; flag 7 gives %d", p.Seed, NewPlan(s, 7).Seed)
	}
	heal := func(d time.Duration) *time.Duration { return &d }
	want := []struct {
		id, kind, selector string
		at                 time.Duration
		heal               *time.Duration
		candidates         []string
		params             string
	}{
		{"step-2", "clockSkew", "random 1 of role replicas", 5 * time.Second, heal(15 * time.Second), []string{"n1", "n2", "n3", "n4", "n5"}, `{"offset":"-2h0m0s"}`},
		{"step-3", "bandwidth", "nodes n4,n5", 10 * time.Second, heal(15 * time.Second), []string{"n4", "n5"}, `{"rate":"1MiB","direction":"out"}`},
		{"step-1", "partition", "groups n1,n2|n3,n4,n5", 30 * time.Second, heal(40 * time.Second), []string{"n1", "n2", "n3", "n4", "n5"}, `{"shape":"groups","groups":[["n1","n2"],["n3","n4","n5"]]}`},
		{"step-4", "azDrain", "zone b", 45 * time.Second, heal(49 * time.Second), []string{"n3", "n4"}, `{"zone":"b"}`},
		{"step-5", "promote", "nodes n3", 50 * time.Second, nil, []string{"n3"}, `{}`},
	}
	if len(p.Steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(p.Steps), len(want))
	}
	for i, w := range want {
		g := p.Steps[i]
		if g.ID != w.id || g.Kind != w.kind || g.Selector != w.selector || g.At != w.at ||
			!reflect.DeepEqual(g.Heal, w.heal) || !reflect.DeepEqual(g.Candidates, w.candidates) || string(g.Params) != w.params {
			t.Errorf("step %d = %+v (params %s)\nwant %+v", i, g, g.Params, w)
		}
	}
	if len(p.Target.Name) > MaxLabName {
		t.Errorf("lab name %s", p.Target.Name)
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	a, _ := LoadBytes("plan.yaml", []byte(planDoc))
	b, _ := LoadBytes("plan.yaml", []byte(planDoc))
	ja, _ := json.Marshal(NewPlan(a, 1234))
	jb, _ := json.Marshal(NewPlan(b, 1234))
	if string(ja) != string(jb) {
		t.Errorf("same scenario and seed, different plans:\n%s\n%s", ja, jb)
	}
	var buf strings.Builder
	if err := NewPlan(a, 1234).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal([]byte(buf.String()), &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(&back); string(again) != string(ja) {
		t.Errorf("plan JSON does not round-trip:\n%s\n%s", again, ja)
	}
}

func TestPlanTable(t *testing.T) {
	s, _ := LoadBytes("plan.yaml", []byte(planDoc))
	var b strings.Builder
	if err := NewPlan(s, 0).WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if *update {
		if err := os.WriteFile("testdata/plan.golden", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := os.ReadFile("testdata/plan.golden")
	if got != string(want) {
		t.Errorf("table differs from testdata/plan.golden (go test -update):\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestNewSeedIsNonZero(t *testing.T) {
	for range 100 {
		if NewSeed() <= 0 {
			t.Fatal("NewSeed returned a non-positive seed")
		}
	}
}

// A majority-minority partition without a selector cuts off a random
// minority, and the plan says so.
func TestPlanMajorityMinorityWithoutSelectorTargetsAMinority(t *testing.T) {
	s, err := LoadBytes("mm.yaml", []byte(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: mm}
spec:
  target: {local: {topology: galera, nodes: 3}}
  workload: {kind: ledger, duration: 30s}
  faults:
    - at: 5s
      for: 10s
      partition: {shape: majority-minority}
`))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(s, 1)
	if st := p.Steps[0]; st.Select.Role != RoleMinority || st.Selector != "role minority" {
		t.Fatalf("select %+v, described %q", st.Select, st.Selector)
	}
}
