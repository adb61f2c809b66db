package scenarios_test

import (
	"fmt"
	"os"

	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/scenarios/library"
)

// Every mistake of a file is reported at once, each with its position.
func ExampleLoadBytes() {
	_, err := scenarios.LoadBytes("mine.yaml", []byte(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata: {name: demo}
spec:
  target:
    local: {topology: galera, nodse: 3}
  workload: {kind: ledger, duration: 1m}
  faults:
    - {at: 10s, for: 2m, select: {nodes: [n1]}, kill: {}}
`))
	fmt.Println(err)
	// Output:
	// mine.yaml:6:12: spec.target.local.nodes: missing nodes; expected a node count 1..9
	// mine.yaml:6:31: spec.target.local.nodse: unknown field "nodse"; did you mean "nodes"?
	// mine.yaml:9:22: spec.faults[0].for: healed at 2m10s, after the workload ends at 1m0s; expected at + for ≤ workload.duration (a fault must be healed before the workload ends)
}

func ExampleNewPlan() {
	source, data, _ := library.Resolve("default")
	s, err := scenarios.LoadBytes(source, data)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = scenarios.NewPlan(s, 42).WriteTable(os.Stdout)
	// Output:
	// scenario galera-minority-partition  seed 42  duration 1m0s
	// target   local galera fl-galc6 (n1@a n2@b n3@c)
	// workload ledger, 4 clients, rate unlimited, routing any
	// checks   lost-writes, split-brain, rpo, rto, convergence, timestamp-order
	//
	// AT    HEAL  STEP               FAULT      PARAMS         TARGETS
	// +10s  +30s  step-1 isolate-n3  partition  shape=isolate  nodes n3
}
