// Package all wires every fault family into the fault registry and builds
// faults from planned steps: Register adds each kind's factory (rebuilding a
// fault from its recorded params, for `faultline recover`), New builds a
// fault from a step's own fields when it fires, Select resolves a step's
// selector from live probes, and Leftovers audits what a run left behind.
// What this host can inject is probed once, by internal/hostcaps.
//
// Adding a fault kind: write it in its family's package as a small type
// whose Params (JSON) hold everything needed to undo it, tagged with the run
// id so Leftovers can find it; give it a FromParams constructor and, when it
// can prove its effect, a Verify method. Then add its line (name, lifecycle,
// rebuild) to kinds in register.go, build it from the step's fields in New,
// audit its traces in Leftovers, and add a subtest to
// TestIntegrationFaultsOnGalera (see injectors/ADDING_FAULTS.md).
package all
