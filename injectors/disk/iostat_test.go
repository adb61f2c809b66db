package disk

import "testing"

func TestParseServed(t *testing.T) {
	v1 := "7:3 Read 12\n7:3 Write 40\n7:3 Sync 30\n7:3 Async 22\n7:3 Discard 0\n7:3 Total 52\n8:0 Write 999\nTotal 1051\n"
	if n := parseRWStat(v1, "7:3"); n != 52 {
		t.Errorf("v1 served %d I/Os; want 52 (read + write of 7:3 only)", n)
	}
	if n := parseRWStat("Total 0\n", "7:3"); n != 0 {
		t.Errorf("untouched device served %d", n)
	}
	v2 := "8:0 rbytes=1 wbytes=1 rios=1 wios=1\n7:3 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
	if s := parseIOStat(v2, "7:3"); s != (Served{IOs: 3, Bytes: 12288}) {
		t.Errorf("v2 served %+v", s)
	}
}

func TestParseIOMax(t *testing.T) {
	l := parseIOMax("8:0 rbps=1 wbps=1 riops=1 wiops=1\n7:3 rbps=max wbps=1048576 riops=3000 wiops=3000\n", "7:3")
	if l != (Limits{WriteBPS: 1 << 20, ReadIOPS: 3000, WriteIOPS: 3000}) {
		t.Errorf("io.max read as %+v", l)
	}
}
