package all

import (
	"context"
	"os"
	"path/filepath"

	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/scenarios"
)

// FaketimeLibs are where Debian installs libfaketime's multi-threaded library.
var FaketimeLibs = []string{"/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"}

// HostCapabilities probes what this host can inject, with a reason for
// every missing ability (for `faultline doctor` and plan validation).
func HostCapabilities(ctx context.Context) scenarios.Capabilities {
	c := scenarios.Capabilities{Reasons: map[string]string{}}
	for _, nc := range network.Capabilities(ctx) {
		switch nc.Name {
		case network.MethodNetem:
			c.Netem = nc.OK
		case network.MethodNFQueue:
			c.NFQueue = nc.OK
		}
		if !nc.OK {
			c.Reasons[nc.Name] = nc.Reason
		}
	}
	c.Faketime = anyExists(FaketimeLibs)
	if !c.Faketime {
		c.Reasons["faketime"] = "libfaketimeMT.so.1 not found (apt-get install faketime)"
	}
	c.Blkio = disk.Version() != 0
	if !c.Blkio {
		c.Reasons["blkio"] = "neither cgroup v1 blkio nor cgroup v2 io is mounted"
	}
	c.FUSE = fuseUsable()
	if !c.FUSE {
		c.Reasons["fuse"] = "/dev/fuse is missing or not usable (modprobe fuse; apt-get install fuse3)"
	}
	return c
}

// fuseUsable reports whether this process can open /dev/fuse.
func fuseUsable() bool {
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func anyExists(paths []string) bool {
	for _, p := range paths {
		if _, err := os.Stat(filepath.Clean(p)); err == nil {
			return true
		}
	}
	return false
}
