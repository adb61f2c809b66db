package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors/disk"
)

// TestAgentDiskThrottleInAContainersCgroup: a process standing for a pod's
// mariadbd runs in a blkio cgroup of its own, as a container does; the
// agent writes the limits into that cgroup for the disk under the data
// directory, proves them by timed direct writes from inside it, and a
// restarted agent puts back what the cgroup held before.
func TestAgentDiskThrottleInAContainersCgroup(t *testing.T) {
	if disk.Version() != 1 {
		t.Fatalf("this test needs cgroup v1 blkio at %s (have version %d)", disk.V1Root, disk.Version())
	}
	ctx := context.Background()
	removeStaleTestCgroups(t)
	cg := filepath.Join(disk.V1Root, fmt.Sprintf("%s%d", testCgroupPrefix, os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "echo $$ > "+cg+"/cgroup.procs && exec sleep 600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		var err error
		for range 250 {
			if err = os.Remove(cg); err == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		tasks, _ := os.ReadFile(filepath.Join(cg, "tasks"))
		t.Errorf("the test's cgroup %s is left behind: %v (tasks %q)", cg, err, strings.Fields(string(tasks)))
	})
	pid := cmd.Process.Pid
	waitInCgroup(t, cg, pid)
	data := t.TempDir() // on the root filesystem's disk
	pods := func(agent.Pod) (agent.Proc, error) {
		return agent.Proc{PID: pid, Root: "/proc/" + strconv.Itoa(pid) + "/root"}, nil
	}
	state := t.TempDir()
	server := func() *agent.Server {
		s, err := agent.NewServer(agent.Options{StateDir: state, Resolve: pods, Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// something the container's runtime put there must survive the fault
	file := filepath.Join(cg, "blkio.throttle.read_bps_device")
	dev := deviceOf(t, data)
	if err := os.WriteFile(file, []byte(dev+" 104857600"), 0); err != nil {
		t.Fatal(err)
	}

	a, err := server().Apply(ctx, agent.Request{RunID: "r9", ID: "disk.a", Kind: agent.KindDiskThrottle,
		Pod: agent.Pod{Name: "ns/a"}, DataDir: data, Limits: disk.Limits{WriteIOPS: 20, ReadBPS: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Evidence == nil || !a.Evidence.Held {
		t.Fatalf("evidence %+v; want held", a.Evidence)
	}
	t.Log(a.Evidence.Summary)
	var ev struct{ Before, During time.Duration }
	if err := json.Unmarshal(a.Evidence.Data, &ev); err != nil || ev.During < 20*time.Millisecond {
		t.Errorf("timed writes %+v (%v); want ≥ 20 ms each under 20 IOPS", ev, err)
	}
	if got := readCg(t, cg, "blkio.throttle.write_iops_device"); got != dev+" 20" {
		t.Errorf("write_iops_device %q; want %q", got, dev+" 20")
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/cgroup")
	for _, task := range tasks {
		if b, _ := os.ReadFile(task); strings.Contains(string(b), filepath.Base(cg)) {
			t.Errorf("a thread of the agent's process was left in the throttled cgroup (%s)", task)
		}
	}

	if healed, err := server().HealAll(ctx); err != nil || len(healed) != 1 { // the agent restarted
		t.Fatalf("healed %d, %v; want 1", len(healed), err)
	}
	if got := readCg(t, cg, "blkio.throttle.write_iops_device"); got != "" {
		t.Errorf("write_iops_device after heal %q; want none", got)
	}
	if got := readCg(t, cg, "blkio.throttle.read_bps_device"); got != dev+" 104857600" {
		t.Errorf("read_bps_device after heal %q; want the runtime's %q back", got, dev+" 104857600")
	}
}

// testCgroupPrefix names this test's cgroups: outside "faultline-", the
// harness's own names, whose leftovers the lab's audit reports.
const testCgroupPrefix = "fltest-agent-"

// removeStaleTestCgroups removes what a killed run of this test left: the
// cgroups of test processes that no longer run (their limits with them).
func removeStaleTestCgroups(t *testing.T) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(disk.V1Root, testCgroupPrefix+"*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), testCgroupPrefix))
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			continue // a run of this test still going
		}
		if err := os.Remove(d); err != nil {
			t.Logf("a stale test cgroup %s stays: %v", d, err)
		}
	}
}

func waitInCgroup(t *testing.T, cg string, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if b, _ := os.ReadFile(filepath.Join(cg, "cgroup.procs")); strings.Contains(string(b), strconv.Itoa(pid)) {
			if c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(c)) == "sleep" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d never ran in %s", pid, cg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readCg(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// deviceOf is the MAJ:MIN of the disk under dir, from findmnt.
func deviceOf(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("findmnt", "-n", "-o", "MAJ:MIN", "-T", dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
