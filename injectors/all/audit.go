package all

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/injectors/process"
	"faultline.dev/faultline/targets"
)

// Leftovers lists what run runID ("" = any run) left on the nodes of m,
// found by name and tag, without any recorded state: blackhole routes
// (partitions), nftables tables, NFQUEUE rules and qdiscs of faultline,
// throttling cgroups, a faketime offset other than zero, a disk-fault
// control file holding a fault, and a stopped (SIGSTOPped) mariadbd.
func Leftovers(ctx context.Context, runID string, m targets.Machine) ([]string, error) {
	var out []string
	for _, n := range m.Nodes() {
		h, err := m.Handles(n.Name)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", n.Name, err)
		}
		net, err := network.Leftovers(ctx, n.Name, h.NetNS, h.Link, h.HostLink, runID)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", n.Name, err)
		}
		out = append(out, net...)
		out = append(out, nodeLeftovers(n.Name, h, m)...)
	}
	cgs, err := cgroupLeftovers(runID)
	return append(out, cgs...), err
}

func nodeLeftovers(node string, h targets.NodeHandles, m targets.Machine) []string {
	var out []string
	if h.FaketimeFile != "" {
		if b, err := os.ReadFile(h.FaketimeFile); err == nil && !zeroOffset(string(b)) {
			out = append(out, fmt.Sprintf("%s: faketime offset %s", node, strings.TrimSpace(string(b))))
		}
	}
	if h.DiskFaultFile != "" {
		if left := disk.ControlLeftover(h.DiskFaultFile); left != "" {
			out = append(out, node+": "+left)
		}
	}
	if pid, err := m.PID(node); err == nil && pid > 0 {
		if st, _ := process.State(pid); st == "T" {
			out = append(out, fmt.Sprintf("%s: mariadbd %d is stopped (SIGSTOP)", node, pid))
		}
	}
	return out
}

func zeroOffset(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "0", "+0", "-0", "+0s", "+0.0", "+0 x1":
		return true
	}
	return false
}

// cgroupLeftovers lists the run's throttling cgroups (any faultline-*
// cgroup holding a throttle when runID is "").
func cgroupLeftovers(runID string) ([]string, error) {
	root := map[int]string{1: disk.V1Root, 2: disk.V2Root}[disk.Version()]
	if root == "" {
		return nil, nil
	}
	prefix := "faultline-"
	if runID != "" {
		prefix = disk.CgroupName(runID, "")
	}
	dirs, err := filepath.Glob(filepath.Join(root, prefix+"*"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dirs {
		if runID != "" || throttled(d) {
			out = append(out, "cgroup "+d)
		}
	}
	return out, nil
}

// throttled reports whether a cgroup holds any I/O limit.
func throttled(dir string) bool {
	for _, f := range []string{"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return true
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "io.max"))
	return err == nil && len(strings.TrimSpace(string(b))) > 0
}
