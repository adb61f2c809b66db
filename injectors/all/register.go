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

// Kinds are the fault kinds this build can inject, as named by the
// scenario format.
var Kinds = []string{
	network.KindPartition, network.KindLatency, network.KindBandwidth, clock.Kind, disk.Kind, disk.KindFault,
	process.KindKill, process.KindPause, process.KindRestart, zone.Kind, process.KindPromote,
}

// Register adds every kind's factory to r.
func Register(r *injectors.Registry, env Env) {
	r.Register(network.KindPartition, func(raw json.RawMessage) (injectors.Fault, error) {
		return network.PartitionFromParams(raw)
	})
	r.Register(network.KindLatency, multiFactory(network.KindLatency, func(raw json.RawMessage) (injectors.Fault, error) {
		return network.LatencyFromParams(raw)
	}))
	r.Register(network.KindBandwidth, multiFactory(network.KindBandwidth, func(raw json.RawMessage) (injectors.Fault, error) {
		return network.BandwidthFromParams(raw)
	}))
	r.Register(clock.Kind, multiFactory(clock.Kind, func(raw json.RawMessage) (injectors.Fault, error) {
		return clock.FromParams(raw)
	}))
	r.Register(disk.Kind, multiFactory(disk.Kind, func(raw json.RawMessage) (injectors.Fault, error) {
		return disk.FromParams(raw)
	}))
	r.Register(disk.KindFault, multiFactory(disk.KindFault, func(raw json.RawMessage) (injectors.Fault, error) {
		return disk.FaultFromParams(raw)
	}))
	for _, kind := range []string{process.KindKill, process.KindPause, process.KindRestart} {
		r.Register(kind, multiFactory(kind, func(raw json.RawMessage) (injectors.Fault, error) {
			return process.FromParams(kind, raw, env.Open)
		}))
	}
	r.Register(process.KindPromote, func(raw json.RawMessage) (injectors.Fault, error) {
		return process.FromParams(process.KindPromote, raw, env.Open)
	})
	r.Register(zone.Kind, func(raw json.RawMessage) (injectors.Fault, error) {
		return zone.FromParams(raw, env.Open)
	})
}

// NewRegistry is a registry with every kind registered.
func NewRegistry(env Env) *injectors.Registry {
	r := injectors.NewRegistry()
	Register(r, env)
	return r
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
