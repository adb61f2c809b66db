package hostcaps

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingPiecesSayWhy(t *testing.T) {
	c := checkFaketime(filepath.Join(t.TempDir(), "nope.so"))
	if c.OK || !strings.Contains(c.Detail, "apt-get install faketime") {
		t.Fatalf("%+v", c)
	}
	if c := checkFaketime(""); c.OK || !strings.Contains(c.Detail, "architecture") {
		t.Fatalf("%+v", c)
	}
}

// Validation and doctor read the same checks: a missing one is a missing
// capability with its reason, and either cgroup version throttles disks.
func TestCapabilitiesFromChecks(t *testing.T) {
	cs := []Check{
		{Name: "netem", OK: false, Detail: "no sch_netem"},
		{Name: "nfqueue", OK: true},
		{Name: "faketime", OK: false, Detail: "x not found (apt-get install faketime)"},
		{Name: "blkio", OK: false, Detail: "no v1"},
		{Name: "io.max", OK: true},
		{Name: "fuse", OK: false, Detail: "/dev/fuse unusable"},
	}
	c := Capabilities(cs)
	if c.Netem || !c.NFQueue || c.Faketime || !c.Blkio || c.FUSE {
		t.Fatalf("capabilities %+v", c)
	}
	if c.Reasons["netem"] != "no sch_netem" || !strings.Contains(c.Reasons["faketime"], "apt-get") || c.Reasons["fuse"] == "" {
		t.Fatalf("reasons %v", c.Reasons)
	}
	if _, ok := c.Reasons["blkio"]; ok {
		t.Fatalf("blkio reported missing though io.max works: %v", c.Reasons)
	}
	cs[4].OK = false
	if c := Capabilities(cs); c.Blkio || !strings.Contains(c.Reasons["blkio"], "no v1") {
		t.Fatalf("no cgroup throttling: %+v", c)
	}
}
