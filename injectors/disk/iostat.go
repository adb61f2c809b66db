package disk

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Served is the cumulative I/O a cgroup's processes had served on one
// device: operations and bytes, reads and writes together.
type Served struct {
	IOs   int64 `json:"ios"`
	Bytes int64 `json:"bytes"`
}

// ReadServed reads what the processes of cgroup dir had served on device
// (MAJ:MIN): cgroup v1 blkio.throttle.io_serviced and io_service_bytes, or
// v2 io.stat. A device the cgroup has not touched yet served nothing.
func ReadServed(dir string, version int, device string) (Served, error) {
	if version == 2 {
		b, err := os.ReadFile(filepath.Join(dir, "io.stat"))
		if err != nil {
			return Served{}, fmt.Errorf("read served I/O of %s: %w", dir, err)
		}
		return parseIOStat(string(b), device), nil
	}
	var s Served
	for _, f := range []struct {
		file string
		into *int64
	}{{"blkio.throttle.io_serviced", &s.IOs}, {"blkio.throttle.io_service_bytes", &s.Bytes}} {
		b, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			return Served{}, fmt.Errorf("read served I/O of %s: %w", dir, err)
		}
		*f.into = parseRWStat(string(b), device)
	}
	return s, nil
}

// parseRWStat sums the Read and Write lines of device in a cgroup v1
// blkio stat file ("7:3 Read 12", "7:3 Write 40", …, "Total 52").
func parseRWStat(s, device string) int64 {
	var n int64
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == device && (f[1] == "Read" || f[1] == "Write") {
			v, _ := strconv.ParseInt(f[2], 10, 64)
			n += v
		}
	}
	return n
}

// parseIOStat reads device's line of a cgroup v2 io.stat
// ("7:3 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0").
func parseIOStat(s, device string) Served {
	var out Served
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != device {
			continue
		}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseInt(v, 10, 64)
			switch k {
			case "rios", "wios":
				out.IOs += n
			case "rbytes", "wbytes":
				out.Bytes += n
			}
		}
	}
	return out
}

// ReadLimits reads back the throttle limits on device from cgroup dir, as
// the kernel holds them (v1: the four blkio.throttle.*_device files; v2:
// io.max). An unset limit reads as 0.
func ReadLimits(dir string, version int, device string) (Limits, error) {
	if version == 2 {
		b, err := os.ReadFile(filepath.Join(dir, "io.max"))
		if err != nil {
			return Limits{}, fmt.Errorf("read limits of %s: %w", dir, err)
		}
		return parseIOMax(string(b), device), nil
	}
	var l Limits
	for _, f := range []struct {
		file string
		into *int64
	}{
		{"blkio.throttle.read_bps_device", &l.ReadBPS}, {"blkio.throttle.write_bps_device", &l.WriteBPS},
		{"blkio.throttle.read_iops_device", &l.ReadIOPS}, {"blkio.throttle.write_iops_device", &l.WriteIOPS},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			return Limits{}, fmt.Errorf("read limits of %s: %w", dir, err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if d, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && d == device {
				*f.into, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			}
		}
	}
	return l, nil
}

// parseIOMax reads device's line of a cgroup v2 io.max ("max" = 0).
func parseIOMax(s, device string) Limits {
	var l Limits
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != device {
			continue
		}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseInt(v, 10, 64) // "max" → 0
			switch k {
			case "rbps":
				l.ReadBPS = n
			case "wbps":
				l.WriteBPS = n
			case "riops":
				l.ReadIOPS = n
			case "wiops":
				l.WriteIOPS = n
			}
		}
	}
	return l
}
