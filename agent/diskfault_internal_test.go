package agent

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCgroupDirInANestedView: inside a kind node /proc/<pid>/cgroup names
// the path from the host's root (/docker/<node>/kubepods/...) while the
// node's hierarchy is mounted from /docker/<node>: the directory that holds
// the pid is found by dropping leading components.
func TestCgroupDirInANestedView(t *testing.T) {
	root := t.TempDir()
	leaf := filepath.Join(root, "kubepods", "burstable", "pod1", "ctr")
	if err := os.MkdirAll(leaf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(leaf, "cgroup.procs"), []byte("17\n4242\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"/kubepods/burstable/pod1/ctr", "/docker/0f3a/kubepods/burstable/pod1/ctr"} {
		got, err := cgroupDir(root, rel, "cgroup.procs", 4242)
		if err != nil || got != leaf {
			t.Errorf("cgroupDir(%s) = %q, %v; want %q", rel, got, err, leaf)
		}
	}
	if _, err := cgroupDir(root, "/docker/0f3a/kubepods/burstable/pod1/ctr", "cgroup.procs", 424); err == nil {
		t.Error("found a cgroup for a pid it does not hold")
	}
}

// TestSameLimit: v1 reads back what was written; v2's io.max lists only the
// keys that are not max.
func TestSameLimit(t *testing.T) {
	for _, c := range []struct {
		read, wrote string
		want        bool
	}{
		{"254:0 20", "254:0 20", true},
		{"254:0 21", "254:0 20", false},
		{"254:0 wiops=20", "254:0 rbps=max wbps=max riops=max wiops=20", true},
		{"254:0 rbps=1048576 wiops=20", "254:0 rbps=max wbps=max riops=max wiops=20", false},
		{"254:0 rbps=max wbps=max riops=max wiops=max", "254:0 rbps=max wbps=max riops=max wiops=20", false},
		{"", "254:0 20", false},
	} {
		if got := sameLimit(c.read, c.wrote); got != c.want {
			t.Errorf("sameLimit(%q, %q) = %v; want %v", c.read, c.wrote, got, c.want)
		}
	}
}
