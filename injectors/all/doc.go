// Package all wires every fault family into the fault registry and builds
// faults from planned steps: Register adds each kind's factory (rebuilding a
// fault from its recorded params, for `faultline recover`), New builds a
// fault from a step's own fields when it fires, Select resolves a step's
// selector from live probes, Leftovers audits what a run left behind, and
// HostCapabilities tells the scenario validator what this host can inject.
package all
