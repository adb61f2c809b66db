package all

import (
	"context"
	"encoding/json"
	"fmt"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/clock"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/process"
	"faultline.dev/faultline/injectors/zone"
)

// Env is what the factories need beyond a fault's params.
type Env struct {
	// StateDir is the lab state directory, recorded with faults that restart nodes.
	StateDir string
	// Open reopens a lab by name, to restart nodes when a fault is rebuilt
	// from the ledger after a crash.
	Open process.Opener
	// LatencyMethod is netem or nfqueue; "" = probe the host when needed.
	LatencyMethod string
}

// kinds is every fault kind this package builds for machine-local targets,
// in the scenario format's order, one line each: the kind's name, its
// lifecycle, how it is built when its step fires and how it is rebuilt
// from a ledger record. New, Register and Kinds all read this table.
func kinds(env Env) []kindSpec {
	proc := func(kind string) injectors.Factory {
		return func(raw json.RawMessage) (injectors.Fault, error) { return process.FromParams(kind, raw, env.Open) }
	}
	return []kindSpec{
		{network.KindPartition, injectors.Lifecycle{Proof: "TCP connectivity matrix dialled from inside the namespaces"}, newPartition, single(network.PartitionFromParams)},
		{network.KindLatency, injectors.Lifecycle{Proof: "connect round trip to the SQL port grew by half the delay"}, newLatency, multi(network.KindLatency, network.LatencyFromParams)},
		{network.KindBandwidth, injectors.Lifecycle{Proof: "faultline's tbf qdisc at the requested rate in place"}, newBandwidth, multi(network.KindBandwidth, network.BandwidthFromParams)},
		{clock.Kind, injectors.Lifecycle{Proof: "UNIX_TIMESTAMP(NOW(6)) on the node against the harness clock"}, newSkew, multi(clock.Kind, clock.FromParams)},
		{disk.Kind, injectors.Lifecycle{Proof: "timed synchronous direct writes on the node's data device"}, newThrottle, multi(disk.Kind, disk.FromParams)},
		{disk.KindFault, injectors.Lifecycle{Proof: "an operation on the node's data directory shows the delay or error"}, newDiskFault, multi(disk.KindFault, disk.FaultFromParams)},
		{process.KindKill, injectors.Lifecycle{Proof: "the killed mariadbd is gone"}, newProcess(process.KindKill), multi(process.KindKill, proc(process.KindKill))},
		{process.KindPause, injectors.Lifecycle{Proof: "the mariadbd process is stopped (state T)"}, newProcess(process.KindPause), multi(process.KindPause, proc(process.KindPause))},
		{process.KindRestart, injectors.Lifecycle{OneShot: true, Proof: "a new mariadbd process replaced the old one"}, newProcess(process.KindRestart), multi(process.KindRestart, proc(process.KindRestart))},
		{zone.Kind, injectors.Lifecycle{Proof: "every node of the zone is down and its SQL port unreachable"}, newDrain,
			func(raw json.RawMessage) (injectors.Fault, error) { return zone.FromParams(raw, env.Open) }},
		{process.KindPromote, injectors.Lifecycle{OneShot: true}, newPromote, proc(process.KindPromote)},
	}
}

// kindSpec is one registered kind.
type kindSpec struct {
	name    string
	life    injectors.Lifecycle
	build   func(context.Context, step) (injectors.Fault, error) // from a planned step, when it fires
	rebuild injectors.Factory                                    // from a ledger record, for recover
}

// Kinds are the fault kinds this build can inject, as named by the
// scenario format, derived from the registrations.
func Kinds() []string {
	var out []string
	for _, k := range kinds(Env{}) {
		out = append(out, k.name)
	}
	return out
}

// Register adds every kind's factory and lifecycle to r.
func Register(r *injectors.Registry, env Env) {
	for _, k := range kinds(env) {
		r.RegisterLife(k.name, k.life, k.rebuild)
	}
}

// NewRegistry is a registry with every kind registered.
func NewRegistry(env Env) *injectors.Registry {
	r := injectors.NewRegistry()
	Register(r, env)
	return r
}

// single adapts a typed rebuild function to a Factory.
func single[F injectors.Fault](from func(json.RawMessage) (F, error)) injectors.Factory {
	return func(raw json.RawMessage) (injectors.Fault, error) { return from(raw) }
}

// multi rebuilds a per-node kind part by part.
func multi[F injectors.Fault](kind string, part func(json.RawMessage) (F, error)) injectors.Factory {
	return multiFactory(kind, single(part))
}

// perNode builds one part per selected node and groups them.
func perNode(kind string, nodes []string, part func(node string) (injectors.Fault, error)) (injectors.Fault, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%s: no node selected", kind)
	}
	var parts []injectors.Fault
	for _, n := range nodes {
		f, err := part(n)
		if err != nil {
			return nil, err
		}
		parts = append(parts, f)
	}
	return NewMulti(kind, parts), nil
}

func decode(kind string, raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s step params: %w", kind, err)
	}
	return nil
}

// latencyMethod is env's method, or the host's best one.
func (env Env) latencyMethod(ctx context.Context) (string, error) {
	if env.LatencyMethod != "" {
		return env.LatencyMethod, nil
	}
	return network.LatencyMethod(network.Capabilities(ctx))
}
