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
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// New builds the fault of a step when it fires: kind and params are the
// planned step's (the fault's own fields as JSON), nodes the selected nodes,
// runID tags everything the fault creates. It touches nothing.
func New(ctx context.Context, kind string, params json.RawMessage, m targets.Machine, nodes []string, runID string, env Env) (injectors.Fault, error) {
	for _, k := range kinds(env) {
		if k.name == kind {
			return k.build(ctx, step{params: params, m: m, nodes: nodes, runID: runID, env: env})
		}
	}
	return nil, fmt.Errorf("unknown fault kind %q", kind)
}

// step is what a kind's builder gets: the step's params and selected nodes
// on machine m, in run runID.
type step struct {
	params json.RawMessage
	m      targets.Machine
	nodes  []string
	runID  string
	env    Env
}

func newPartition(_ context.Context, st step) (injectors.Fault, error) {
	var p scenarios.Partition
	if err := decode(network.KindPartition, st.params, &p); err != nil {
		return nil, err
	}
	eps, err := network.Endpoints(st.m)
	if err != nil {
		return nil, err
	}
	return network.NewPartition(st.runID, p.Shape, p.Groups, st.nodes, eps)
}

// newProcess builds a kill, pause or restart on every selected node.
func newProcess(kind string) func(context.Context, step) (injectors.Fault, error) {
	return func(ctx context.Context, st step) (injectors.Fault, error) {
		return perNode(kind, st.nodes, func(n string) (injectors.Fault, error) {
			return process.New(ctx, kind, st.runID, st.env.StateDir, st.m, n)
		})
	}
}

func newPromote(ctx context.Context, st step) (injectors.Fault, error) {
	if len(st.nodes) != 1 {
		return nil, fmt.Errorf("promote: select exactly one node, have %v", st.nodes)
	}
	return process.New(ctx, process.KindPromote, st.runID, st.env.StateDir, st.m, st.nodes[0])
}

func newDrain(_ context.Context, st step) (injectors.Fault, error) {
	var p scenarios.AZDrain
	if err := decode(zone.Kind, st.params, &p); err != nil {
		return nil, err
	}
	return zone.New(st.runID, st.env.StateDir, st.m, p.Zone)
}

func newLatency(ctx context.Context, st step) (injectors.Fault, error) {
	params, m, nodes, runID, env := st.params, st.m, st.nodes, st.runID, st.env
	var p scenarios.Latency
	if err := decode(network.KindLatency, params, &p); err != nil {
		return nil, err
	}
	method, err := env.latencyMethod(ctx)
	if err != nil {
		return nil, err
	}
	return perNode(network.KindLatency, nodes, func(n string) (injectors.Fault, error) {
		h, err := m.Handles(n)
		if err != nil {
			return nil, fmt.Errorf("latency on %s: %w", n, err)
		}
		ep := network.Endpoint{Node: n, NetNS: h.NetNS, Addr: h.Addr, Ports: h.Ports}
		return network.NewLatency(runID, method, ep, h.Link, p.Delay.D(), p.Jitter.D(), p.Loss), nil
	})
}

func newBandwidth(_ context.Context, st step) (injectors.Fault, error) {
	params, m, nodes, runID := st.params, st.m, st.nodes, st.runID
	var p scenarios.Bandwidth
	if err := decode(network.KindBandwidth, params, &p); err != nil {
		return nil, err
	}
	return perNode(network.KindBandwidth, nodes, func(n string) (injectors.Fault, error) {
		h, err := m.Handles(n)
		if err != nil {
			return nil, fmt.Errorf("bandwidth on %s: %w", n, err)
		}
		places, err := network.BandwidthPlaces(p.Direction, h.NetNS, h.HostLink, h.Link)
		if err != nil {
			return nil, err
		}
		return network.NewBandwidth(runID, n, uint64(p.Rate), places)
	})
}

func newSkew(_ context.Context, st step) (injectors.Fault, error) {
	params, m, nodes, runID := st.params, st.m, st.nodes, st.runID
	var p scenarios.ClockSkew
	if err := decode(clock.Kind, params, &p); err != nil {
		return nil, err
	}
	return perNode(clock.Kind, nodes, func(n string) (injectors.Fault, error) {
		h, err := m.Handles(n)
		if err != nil {
			return nil, fmt.Errorf("clock skew on %s: %w", n, err)
		}
		node, _ := targets.NodeByName(m, n)
		f, err := clock.New(runID, node, h.FaketimeFile, p.Offset.D())
		if err != nil || p.Drift == 0 {
			return f, err
		}
		pid, err := m.PID(n)
		if err != nil {
			return nil, fmt.Errorf("clock drift on %s: %w", n, err)
		}
		return f.WithDrift(p.Drift.PPM(), pid), nil
	})
}

// DiskLimits are a diskThrottle step's rates as the throttles take them
// (the lab's and the node agent's).
func DiskLimits(p scenarios.DiskThrottle) disk.Limits {
	return disk.Limits{ReadBPS: int64(p.ReadBPS), WriteBPS: int64(p.WriteBPS), ReadIOPS: int64(p.ReadIOPS), WriteIOPS: int64(p.WriteIOPS)}
}

func newThrottle(_ context.Context, st step) (injectors.Fault, error) {
	params, m, nodes, runID := st.params, st.m, st.nodes, st.runID
	var p scenarios.DiskThrottle
	if err := decode(disk.Kind, params, &p); err != nil {
		return nil, err
	}
	l := DiskLimits(p)
	return perNode(disk.Kind, nodes, func(n string) (injectors.Fault, error) {
		h, err := m.Handles(n)
		if err != nil {
			return nil, fmt.Errorf("disk throttle on %s: %w", n, err)
		}
		pid, err := m.PID(n)
		if err != nil {
			return nil, fmt.Errorf("disk throttle on %s: %w", n, err)
		}
		return disk.New(runID, n, pid, h.BlockDevice, h.DataDir, l)
	})
}

func newDiskFault(_ context.Context, st step) (injectors.Fault, error) {
	params, m, nodes, runID := st.params, st.m, st.nodes, st.runID
	var p scenarios.DiskFault
	if err := decode(disk.KindFault, params, &p); err != nil {
		return nil, err
	}
	return perNode(disk.KindFault, nodes, func(n string) (injectors.Fault, error) {
		h, err := m.Handles(n)
		if err != nil {
			return nil, fmt.Errorf("disk fault on %s: %w", n, err)
		}
		return disk.NewFault(disk.FaultParams{RunID: runID, Node: n, Control: h.DiskFaultFile, Dir: h.DiskFaultDir,
			Delay: p.Delay.D(), ErrorRate: p.ErrorRate, Ops: p.Ops, Path: p.Path})
	})
}
