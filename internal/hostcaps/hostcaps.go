// Package hostcaps is the one probe of what this host can inject: netem or
// NFQUEUE for latency, libfaketime for clock skew, blkio or io.max for disk
// throttling, FUSE for disk faults, mariadb-backup for restore drills. `faultline doctor` prints it and
// validation refuses what it lacks; neither probes on its own.
package hostcaps

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/internal/faketime"
	"faultline.dev/faultline/scenarios"
)

// Check is one probed ability with what was found.
type Check struct {
	Family string // network, clock, disk
	Name   string // netem, nfqueue, faketime, blkio, io.max, fuse
	OK     bool
	Detail string // what works, or why not and how to fix it
}

// CgroupRoot is where cgroups are mounted; a variable for tests.
var CgroupRoot = "/sys/fs/cgroup"

// Probe checks every ability. It changes nothing on the host (the network
// probe's scratch namespaces are discarded).
func Probe(ctx context.Context) []Check {
	var cs []Check
	for _, nc := range network.Capabilities(ctx) {
		c := Check{Family: "network", Name: nc.Name, OK: nc.OK, Detail: nc.Reason}
		if nc.OK {
			c.Detail = "works on this kernel"
		}
		cs = append(cs, c)
	}
	return append(cs, checkFaketime(faketime.Lib()), checkBlkio(), checkIOMax(), checkFUSE(), checkMariaBackup())
}

// Capabilities is what validation needs of the checks: one flag per fault
// requirement, and the reason for each missing one.
func Capabilities(cs []Check) scenarios.Capabilities {
	c := scenarios.Capabilities{Reasons: map[string]string{}}
	var disk []string
	for _, k := range cs {
		switch k.Name {
		case network.MethodNetem:
			c.Netem = k.OK
		case network.MethodNFQueue:
			c.NFQueue = k.OK
		case "faketime":
			c.Faketime = k.OK
		case "blkio", "io.max":
			c.Blkio = c.Blkio || k.OK
			disk = append(disk, k.Detail)
			continue
		case "fuse":
			c.FUSE = k.OK
		case "mariadb-backup":
			c.MariaBackup = k.OK
		}
		if !k.OK {
			c.Reasons[k.Name] = k.Detail
		}
	}
	if !c.Blkio {
		c.Reasons["blkio"] = strings.Join(disk, "; ")
	}
	return c
}

// Host probes this host and returns its capabilities.
func Host(ctx context.Context) scenarios.Capabilities { return Capabilities(Probe(ctx)) }

func checkFaketime(lib string) Check {
	c := Check{Family: "clock", Name: "faketime"}
	if lib == "" {
		c.Detail = "no libfaketime path known for this architecture"
		return c
	}
	if _, err := os.Stat(lib); err != nil {
		c.Detail = lib + " not found (apt-get install faketime)"
		return c
	}
	c.OK, c.Detail = true, "libfaketime present (clockSkew through per-node offset files)"
	return c
}

func checkBlkio() Check {
	c := Check{Family: "disk", Name: "blkio"}
	p := filepath.Join(CgroupRoot, "blkio", "blkio.throttle.write_iops_device")
	if _, err := os.Stat(p); err != nil {
		c.Detail = "no cgroup v1 blkio throttling (" + p + " missing)"
		return c
	}
	c.OK, c.Detail = true, "cgroup v1 blkio throttle files present (diskThrottle)"
	return c
}

func checkIOMax() Check {
	c := Check{Family: "disk", Name: "io.max", Detail: "no cgroup v2 io controller"}
	b, err := os.ReadFile(filepath.Join(CgroupRoot, "cgroup.controllers"))
	if err != nil {
		return c
	}
	for _, f := range strings.Fields(string(b)) {
		if f == "io" {
			c.OK, c.Detail = true, "cgroup v2 io controller present (diskThrottle)"
		}
	}
	return c
}

func checkFUSE() Check {
	c := Check{Family: "disk", Name: "fuse"}
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		c.Detail = "/dev/fuse unusable: " + err.Error() + " (modprobe fuse; apt-get install fuse3)"
		return c
	}
	f.Close()
	if _, err := exec.LookPath("fusermount3"); err != nil {
		if _, err2 := exec.LookPath("fusermount"); err2 != nil {
			c.Detail = "/dev/fuse works but fusermount is missing (apt-get install fuse3)"
			return c
		}
	}
	c.OK, c.Detail = true, "/dev/fuse and fusermount present (diskFault)"
	return c
}
