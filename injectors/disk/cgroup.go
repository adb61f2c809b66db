// Package disk holds the disk fault family of the local lab: block I/O
// throttling of a node's mariadbd through a cgroup (v1 blkio or v2 io.max)
// on the node's data device (diskThrottle), and latency or EIO on chosen
// file operations under its data directory through the node's FUSE layer
// (diskFault, package targets/local/diskfs), set by the layer's control file.
package disk

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Cgroup roots.
const (
	V1Root = "/sys/fs/cgroup/blkio"
	V2Root = "/sys/fs/cgroup"
)

// Limits are throttle values; zero means unlimited.
type Limits struct {
	ReadBPS   int64 `json:"readBps,omitempty"`
	WriteBPS  int64 `json:"writeBps,omitempty"`
	ReadIOPS  int64 `json:"readIops,omitempty"`
	WriteIOPS int64 `json:"writeIops,omitempty"`
}

// Write is one value written to one cgroup file.
type Write struct{ File, Value string }

// V1Writes are the blkio writes for limits on device (MAJ:MIN); with clear
// they reset every limit to 0 (unlimited).
func V1Writes(device string, l Limits, clear bool) []Write {
	var out []Write
	for _, f := range []struct {
		file string
		v    int64
	}{
		{"blkio.throttle.read_bps_device", l.ReadBPS}, {"blkio.throttle.write_bps_device", l.WriteBPS},
		{"blkio.throttle.read_iops_device", l.ReadIOPS}, {"blkio.throttle.write_iops_device", l.WriteIOPS},
	} {
		switch {
		case clear:
			out = append(out, Write{f.file, device + " 0"})
		case f.v > 0:
			out = append(out, Write{f.file, device + " " + strconv.FormatInt(f.v, 10)})
		}
	}
	return out
}

// V2Write is the io.max line for limits on device; with clear every key is max.
func V2Write(device string, l Limits, clear bool) Write {
	val := func(v int64) string {
		if clear || v <= 0 {
			return "max"
		}
		return strconv.FormatInt(v, 10)
	}
	return Write{"io.max", fmt.Sprintf("%s rbps=%s wbps=%s riops=%s wiops=%s", device,
		val(l.ReadBPS), val(l.WriteBPS), val(l.ReadIOPS), val(l.WriteIOPS))}
}

// CgroupName is the cgroup of a run's node: faultline-<runid>-<node>.
func CgroupName(runID, node string) string { return "faultline-" + runID + "-" + node }

// Version is 2 when the unified hierarchy with the io controller is mounted
// at V2Root, 1 when the blkio controller is, 0 when neither.
func Version() int { return VersionAt(V2Root) }

// VersionAt is Version of the cgroup filesystem mounted at root (a node
// agent sees its node's at a hostPath): 2 with the io controller on the
// unified hierarchy there, 1 with blkio under root/blkio, 0 otherwise.
func VersionAt(root string) int {
	if b, err := os.ReadFile(filepath.Join(root, "cgroup.controllers")); err == nil && hasWord(string(b), "io") {
		return 2
	}
	if _, err := os.Stat(filepath.Join(root, "blkio", "cgroup.procs")); err == nil {
		return 1
	}
	return 0
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// ProcCgroup is the cgroup path (relative to the hierarchy root) of pid for
// version v, read from /proc/<pid>/cgroup.
func ProcCgroup(pid, v int) (string, error) { return ProcCgroupAt("/proc", pid, v) }

// ProcCgroupAt is ProcCgroup read from the proc filesystem at proc (a
// node agent reads its node's processes through the host PID namespace).
func ProcCgroupAt(proc string, pid, v int) (string, error) {
	f, err := os.Open(filepath.Join(proc, strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	return parseProcCgroup(bufio.NewScanner(f), v)
}

func parseProcCgroup(sc *bufio.Scanner, v int) (string, error) {
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if v == 2 && parts[0] == "0" && parts[1] == "" {
			return parts[2], nil
		}
		if v == 1 && hasWord(strings.ReplaceAll(parts[1], ",", " "), "blkio") {
			return parts[2], nil
		}
	}
	return "", fmt.Errorf("no cgroup v%d entry", v)
}

// Apply writes w into the cgroup directory dir.
func (w Write) Apply(dir string) error { return writeCg(dir, w) }

func writeCg(dir string, w Write) error {
	if err := os.WriteFile(filepath.Join(dir, w.File), []byte(w.Value), 0); err != nil {
		return fmt.Errorf("write %q to %s: %w", w.Value, filepath.Join(dir, w.File), err)
	}
	return nil
}

// procs lists the pids in a cgroup.
func procs(dir string) ([]int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if p, err := strconv.Atoi(f); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}
