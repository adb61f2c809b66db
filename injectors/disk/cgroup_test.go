package disk

import (
	"bufio"
	"strings"
	"testing"
)

func TestV1Writes(t *testing.T) {
	got := V1Writes("7:3", Limits{WriteIOPS: 20, ReadBPS: 1 << 20}, false)
	want := []Write{{"blkio.throttle.read_bps_device", "7:3 1048576"}, {"blkio.throttle.write_iops_device", "7:3 20"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("V1Writes = %v", got)
	}
	if clr := V1Writes("7:3", Limits{WriteIOPS: 20}, true); len(clr) != 4 || clr[3].Value != "7:3 0" {
		t.Errorf("clear = %v", clr)
	}
}

func TestV2Write(t *testing.T) {
	if got := V2Write("7:3", Limits{WriteIOPS: 20}, false).Value; got != "7:3 rbps=max wbps=max riops=max wiops=20" {
		t.Errorf("V2Write = %q", got)
	}
	if got := V2Write("7:3", Limits{WriteIOPS: 20}, true).Value; got != "7:3 rbps=max wbps=max riops=max wiops=max" {
		t.Errorf("clear = %q", got)
	}
}

func TestParseProcCgroup(t *testing.T) {
	in := "12:cpu,cpuacct:/a\n4:blkio:/lab/n1\n0::/unified\n"
	for v, want := range map[int]string{1: "/lab/n1", 2: "/unified"} {
		got, err := parseProcCgroup(bufio.NewScanner(strings.NewReader(in)), v)
		if err != nil || got != want {
			t.Errorf("v%d: %q %v", v, got, err)
		}
	}
	if _, err := parseProcCgroup(bufio.NewScanner(strings.NewReader("1:cpu:/\n")), 1); err == nil {
		t.Error("no blkio line: want an error")
	}
}
