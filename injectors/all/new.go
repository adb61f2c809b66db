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
// runID tags everything the fault creates.
func New(ctx context.Context, kind string, params json.RawMessage, m targets.Machine, nodes []string, runID string, env Env) (injectors.Fault, error) {
	switch kind {
	case network.KindPartition:
		var p scenarios.Partition
		if err := decode(kind, params, &p); err != nil {
			return nil, err
		}
		eps, err := network.Endpoints(m)
		if err != nil {
			return nil, err
		}
		return network.NewPartition(runID, p.Shape, p.Groups, nodes, eps)
	case network.KindLatency:
		return newLatency(ctx, params, m, nodes, runID, env)
	case network.KindBandwidth:
		return newBandwidth(params, m, nodes, runID)
	case clock.Kind:
		return newSkew(params, m, nodes, runID)
	case disk.Kind:
		return newThrottle(params, m, nodes, runID)
	case process.KindKill, process.KindPause, process.KindRestart:
		return perNode(kind, nodes, func(n string) (injectors.Fault, error) {
			return process.New(ctx, kind, runID, env.StateDir, m, n)
		})
	case process.KindPromote:
		if len(nodes) != 1 {
			return nil, fmt.Errorf("promote: select exactly one node, have %v", nodes)
		}
		return process.New(ctx, kind, runID, env.StateDir, m, nodes[0])
	case zone.Kind:
		var p scenarios.AZDrain
		if err := decode(kind, params, &p); err != nil {
			return nil, err
		}
		return zone.New(runID, env.StateDir, m, p.Zone)
	case disk.KindFault:
		return newDiskFault(params, m, nodes, runID)
	}
	return nil, fmt.Errorf("unknown fault kind %q", kind)
}

func newLatency(ctx context.Context, params json.RawMessage, m targets.Machine, nodes []string, runID string, env Env) (injectors.Fault, error) {
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

func newBandwidth(params json.RawMessage, m targets.Machine, nodes []string, runID string) (injectors.Fault, error) {
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

func newSkew(params json.RawMessage, m targets.Machine, nodes []string, runID string) (injectors.Fault, error) {
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
		return clock.New(runID, node, h.FaketimeFile, p.Offset.D())
	})
}

func newThrottle(params json.RawMessage, m targets.Machine, nodes []string, runID string) (injectors.Fault, error) {
	var p scenarios.DiskThrottle
	if err := decode(disk.Kind, params, &p); err != nil {
		return nil, err
	}
	l := disk.Limits{ReadBPS: int64(p.ReadBPS), WriteBPS: int64(p.WriteBPS), ReadIOPS: int64(p.ReadIOPS), WriteIOPS: int64(p.WriteIOPS)}
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

func newDiskFault(params json.RawMessage, m targets.Machine, nodes []string, runID string) (injectors.Fault, error) {
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
