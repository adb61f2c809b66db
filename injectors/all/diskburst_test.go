package all

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/scenarios"
)

// diskBurstSource is a scenario whose one step (line 10, column 7) spells
// diskBurst with fields.
func diskBurstSource(fields string) string {
	return fmt.Sprintf(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: burst}
spec:
  target:
    local: {topology: galera, nodes: 3}
  workload: {kind: ledger, clients: 3, duration: 30s}
  verify: {convergence: 2s}
  faults:
    - {at: 1s, for: 10s, select: {nodes: [n3]}, diskBurst: %s}
`, fields)
}

func loadBurst(fields string) (*scenarios.Scenario, error) {
	return scenarios.LoadWith("burst.yaml", []byte(diskBurstSource(fields)), []scenarios.KindSpec{DiskBurstKind().Spelling})
}

// Bad burst disks are refused at validate time, each at its field's
// file:line:col (a missing field at the diskBurst mapping).
func TestDiskBurstValidation(t *testing.T) {
	for _, tc := range []struct{ name, fields, want string }{
		{"burst below baseline", `{baselineIops: 500, burstIops: 100, credits: 1000}`,
			`burst.yaml:10:91: spec.faults[0].diskBurst.burstIops: burstIops 100 below baselineIops 500; expected burst ≥ baseline`},
		{"zero and negative rates", `{baselineIops: 0, burstIops: -5, credits: 1000}`,
			`burst.yaml:10:75: spec.faults[0].diskBurst.baselineIops: baselineIops 0; expected > 0 I/O operations per second
burst.yaml:10:89: spec.faults[0].diskBurst.burstIops: burstIops -5; expected > 0 I/O operations per second`},
		{"credits missing", `{baselineIops: 100, burstIops: 3000}`,
			`burst.yaml:10:60: spec.faults[0].diskBurst: missing credits; expected the bucket's size in I/O operations, e.g. credits: 20000`},
		{"zero credits", `{baselineIops: 100, burstIops: 3000, credits: 0}`,
			`burst.yaml:10:106: spec.faults[0].diskBurst.credits: credits 0; expected > 0 I/O operations`},
		{"initial above the capacity", `{baselineIops: 100, burstIops: 3000, credits: 10, initialCredits: 11}`,
			`burst.yaml:10:126: spec.faults[0].diskBurst.initialCredits: initialCredits 11; expected 0..10 (credits)`},
		{"one bandwidth limit alone", `{baselineIops: 100, burstIops: 3000, credits: 10, burstBps: 1MiB}`,
			`burst.yaml:10:60: spec.faults[0].diskBurst: baselineBps and burstBps go together; expected both or neither`},
		{"bandwidth burst below baseline", `{baselineIops: 100, burstIops: 3000, credits: 10, baselineBps: 2MiB, burstBps: 1MiB}`,
			`burst.yaml:10:139: spec.faults[0].diskBurst.burstBps: burstBps 1MiB below baselineBps 2MiB; expected burst ≥ baseline`},
		{"an unknown field", `{baselineIops: 100, burstIops: 3000, credit: 10}`,
			`burst.yaml:10:60: spec.faults[0].diskBurst: missing credits; expected the bucket's size in I/O operations, e.g. credits: 20000
burst.yaml:10:97: spec.faults[0].diskBurst.credit: unknown field "credit"; did you mean "credits"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadBurst(tc.fields)
			if err == nil || err.Error() != tc.want {
				t.Errorf("errors:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}

// A valid spelling plans into params that build the volume it says: a
// full bucket unless initialCredits says otherwise.
func TestDiskBurstPlannedParams(t *testing.T) {
	s, err := loadBurst(`{baselineIops: 100, burstIops: 3000, credits: 20000, baselineBps: 1MiB, burstBps: 16MiB}`)
	if err != nil {
		t.Fatal(err)
	}
	st := scenarios.NewPlan(s, 1).Steps[0]
	var p DiskBurst
	if err := json.Unmarshal(st.Params, &p); err != nil || st.Kind != disk.KindBurst {
		t.Fatalf("step %s params %s: %v", st.Kind, st.Params, err)
	}
	v := p.volume()
	if v.Credits != 20000 || v.Initial != 20000 || v.BaselineIOPS != 100 || v.BurstIOPS != 3000 || v.BurstBPS != 16<<20 {
		t.Errorf("volume %+v", v)
	}
	if l := v.Limits(true); l != (disk.Limits{ReadIOPS: 100, WriteIOPS: 100, ReadBPS: 1 << 20, WriteBPS: 1 << 20}) {
		t.Errorf("baseline limits %+v", l)
	}
	if !strings.Contains(string(st.Params), `"credits":20000`) {
		t.Errorf("params %s", st.Params)
	}
}
