package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/clock"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/process"
)

// The environment by which a database container opts into clock faults:
// its process runs with libfaketime preloaded, reading its offset from the
// file FaketimeFileEnv names (in a volume of the pod, so a fault writes it
// and a restarted container starts from the real clock again).
const (
	FaketimeFileEnv = "FAKETIME_TIMESTAMP_FILE"
	PreloadEnv      = "LD_PRELOAD"
)

// Registry is every kind the agent applies, with the lab's factories that
// rebuild them from their records: the agent's ledger is healed exactly as
// the harness's is.
func Registry() *injectors.Registry {
	r := injectors.NewRegistry()
	r.Register(KindPartition, func(raw json.RawMessage) (injectors.Fault, error) { return network.PartitionFromParams(raw) })
	r.Register(KindPause, func(raw json.RawMessage) (injectors.Fault, error) { return process.FromParams(KindPause, raw, nil) })
	r.Register(KindClockSkew, func(raw json.RawMessage) (injectors.Fault, error) { return clock.FromParams(raw) })
	r.Register(KindLatency, func(raw json.RawMessage) (injectors.Fault, error) { return network.LatencyFromParams(raw) })
	r.Register(KindBandwidth, func(raw json.RawMessage) (injectors.Fault, error) { return network.BandwidthFromParams(raw) })
	r.Register(KindNodeOutage, outageFromParams)
	r.Register(KindDiskThrottle, throttleFromParams)
	return r
}

// build is the lab injector of req, aimed at the pod's process p.
func build(req Request, p Proc, proc, cgroupRoot string) (injectors.Fault, error) {
	switch req.Kind {
	case KindPartition:
		return partition(req, p)
	case KindPause:
		start, err := process.StartTime(p.PID)
		if err != nil {
			return nil, fmt.Errorf("pause %s: %w", req.Pod.Name, err)
		}
		raw, _ := json.Marshal(process.Params{RunID: req.RunID, Node: req.Pod.Name, PID: p.PID, Start: start})
		return process.FromParams(KindPause, raw, nil)
	case KindClockSkew:
		return skew(req, p, proc)
	case KindLatency:
		return latency(req, p)
	case KindBandwidth:
		return bandwidth(req, p, proc)
	case KindNodeOutage:
		return newOutage(req, proc)
	case KindDiskThrottle:
		return newThrottle(req, p, proc, cgroupRoot)
	}
	return nil, fmt.Errorf("the agent cannot apply %q (it applies %v)", req.Kind, Registry().Kinds())
}

// partition is blackhole routes to req.DropTo inside the pod's network
// namespace, tagged with the run's route metric as on the lab.
func partition(req Request, p Proc) (injectors.Fault, error) {
	if len(req.DropTo) == 0 {
		return nil, fmt.Errorf("partition %s: no address to drop", req.Pod.Name)
	}
	for _, ip := range req.DropTo {
		if ip.To4() == nil {
			return nil, fmt.Errorf("partition %s: %v is not an IPv4 address", req.Pod.Name, ip)
		}
	}
	params := network.PartitionParams{RunID: req.RunID, Shape: "agent", Metric: network.RouteMetric(req.RunID),
		Routes: []network.NodeRoutes{{Node: req.Pod.Name, NetNS: p.NetNS, Dst: append([]net.IP(nil), req.DropTo...)}}}
	raw, _ := json.Marshal(params)
	return network.PartitionFromParams(raw)
}

// skew writes the offset to the container's faketime file, found from its
// process's environment.
func skew(req Request, p Proc, proc string) (injectors.Fault, error) {
	env, err := Environ(proc, p.PID)
	if err != nil {
		return nil, fmt.Errorf("clockSkew %s: %w", req.Pod.Name, err)
	}
	file := env[FaketimeFileEnv]
	if file == "" || !strings.Contains(env[PreloadEnv], "faketime") {
		return nil, fmt.Errorf("clockSkew %s: its %s does not run under libfaketime (want %s=<lib>/libfaketime*.so* and %s=<file in a pod volume> in its environment; see kind/manifests)",
			req.Pod.Name, req.Pod.Process, PreloadEnv, FaketimeFileEnv)
	}
	if loaded, err := mapsFaketime(proc, p.PID); err != nil {
		return nil, fmt.Errorf("clockSkew %s: %w", req.Pod.Name, err)
	} else if !loaded {
		return nil, fmt.Errorf("clockSkew %s: its %s asks for %s=%s but has no libfaketime loaded: the image lacks that file "+
			"(install Debian's faketime package in the image, or mount the library at that path; see kind/manifests)",
			req.Pod.Name, req.Pod.Process, PreloadEnv, env[PreloadEnv])
	}
	path, err := InRoot(p.Root, file)
	if err != nil {
		return nil, fmt.Errorf("clockSkew %s: %w", req.Pod.Name, err)
	}
	prev, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("clockSkew %s: read %s: %w", req.Pod.Name, file, err)
	}
	params := clock.Params{RunID: req.RunID, Node: req.Pod.Name, File: path, Offset: req.Offset,
		Prev: strings.TrimSpace(string(prev))}
	if req.DriftPPM != 0 {
		params.Drift, params.PID = req.DriftPPM, p.PID // the line compensates mariadbd's age, read through hostPID
	}
	raw, _ := json.Marshal(params)
	return clock.FromParams(raw)
}

// mapsFaketime reports whether process pid has libfaketime mapped: a
// preload that names a missing file is ignored by the loader, and a fault
// written to the offset file would then change nothing.
func mapsFaketime(proc string, pid int) (bool, error) {
	b, err := os.ReadFile(filepath.Join(proc, strconv.Itoa(pid), "maps"))
	if err != nil {
		return false, fmt.Errorf("libraries of %d: %w", pid, err)
	}
	return bytes.Contains(b, []byte("/libfaketime")), nil
}
