package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/disk"
)

// DefaultDataDir is where a database container keeps its data when a
// request names no directory (the MariaDB images' and kind/manifests').
const DefaultDataDir = "/var/lib/mysql"

// throttleParams is a pod's disk throttle as the agent's ledger keeps it.
// Unlike the lab's, which moves mariadbd into a cgroup of its own, the
// limits are written into the container's own cgroup, the one its runtime
// made: moving a container's process would fight the kubelet, and the
// container's cgroup goes away with it, limits and all.
type throttleParams struct {
	RunID   string       `json:"runId"`
	Pod     string       `json:"pod"`
	Version int          `json:"cgroupVersion"`
	Root    string       `json:"root"`   // the hierarchy's root, as the agent sees it
	Cgroup  string       `json:"cgroup"` // the container's cgroup, as the agent sees it
	Device  string       `json:"device"` // MAJ:MIN of the disk under the data directory
	Data    string       `json:"data"`   // the data directory, through the container's root
	Limits  disk.Limits  `json:"limits"`
	Prev    []disk.Write `json:"prev"` // what the cgroup held for the device before
}

// throttle limits a pod's I/O on the disk of its data directory.
type throttle struct{ p throttleParams }

var (
	_ injectors.Fault    = (*throttle)(nil)
	_ injectors.Verifier = (*throttle)(nil)
)

func throttleFromParams(raw json.RawMessage) (injectors.Fault, error) {
	var p throttleParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("disk throttle params: %w", err)
	}
	return &throttle{p}, nil
}

// newThrottle finds the container's cgroup and data disk and what the
// cgroup holds for that disk now.
func newThrottle(req Request, p Proc, proc, cgroupRoot string) (injectors.Fault, error) {
	fail := func(err error) (injectors.Fault, error) {
		return nil, fmt.Errorf("diskThrottle %s: %w", req.Pod.Name, err)
	}
	if req.Limits == (disk.Limits{}) {
		return fail(errors.New("no limit given"))
	}
	dir := req.DataDir
	if dir == "" {
		dir = DefaultDataDir
	}
	data, err := InRoot(p.Root, dir)
	if err != nil {
		return fail(err)
	}
	dev, err := diskOf(data)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", dir, err))
	}
	v := disk.VersionAt(cgroupRoot)
	if v == 0 {
		return fail(fmt.Errorf("neither cgroup v1 blkio nor v2 io under %s", cgroupRoot))
	}
	root := cgroupRoot
	if v == 1 {
		root = filepath.Join(cgroupRoot, "blkio")
	}
	rel, err := disk.ProcCgroupAt(proc, p.PID, v)
	if err != nil {
		return fail(fmt.Errorf("cgroup of pid %d: %w", p.PID, err))
	}
	cg, err := cgroupDir(root, rel, "cgroup.procs", p.PID)
	if err != nil {
		return fail(err)
	}
	f := &throttle{throttleParams{RunID: req.RunID, Pod: req.Pod.Name, Version: v, Root: root, Cgroup: cg,
		Device: dev, Data: data, Limits: req.Limits}}
	if f.p.Prev, err = f.current(); err != nil {
		return fail(err)
	}
	return f, nil
}

// Kind is "diskThrottle".
func (*throttle) Kind() string { return KindDiskThrottle }

// Params is the JSON of the params.
func (f *throttle) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *throttle) writes() []disk.Write {
	if f.p.Version == 2 {
		return []disk.Write{disk.V2Write(f.p.Device, f.p.Limits, false)}
	}
	return disk.V1Writes(f.p.Device, f.p.Limits, false)
}

// current is, for each file the throttle writes, the value the cgroup holds
// for the device now (unlimited when it holds none).
func (f *throttle) current() ([]disk.Write, error) {
	var out []disk.Write
	for _, w := range f.writes() {
		b, err := os.ReadFile(filepath.Join(f.p.Cgroup, w.File))
		if err != nil {
			return nil, err
		}
		prev := ""
		for _, line := range strings.Split(string(b), "\n") {
			if dev, _, ok := strings.Cut(line, " "); ok && dev == f.p.Device {
				prev = line
			}
		}
		if prev == "" {
			prev = f.p.Device + " 0"
			if f.p.Version == 2 {
				prev = disk.V2Write(f.p.Device, disk.Limits{}, true).Value
			}
		}
		out = append(out, disk.Write{File: w.File, Value: prev})
	}
	return out, nil
}

// Inject writes the limits into the container's cgroup.
func (f *throttle) Inject(context.Context) error {
	for _, w := range f.writes() {
		if err := w.Apply(f.p.Cgroup); err != nil {
			return fmt.Errorf("inject disk throttle on %s: %w", f.p.Pod, err)
		}
	}
	return nil
}

// Recover writes back what the cgroup held before. A cgroup that is gone
// took its limits with it: the container ended.
func (f *throttle) Recover(context.Context) error {
	if _, err := os.Stat(f.p.Cgroup); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	for _, w := range f.p.Prev {
		if err := w.Apply(f.p.Cgroup); err != nil {
			if _, serr := os.Stat(f.p.Cgroup); errors.Is(serr, os.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("recover disk throttle on %s: %w", f.p.Pod, err)
		}
	}
	return nil
}

// Verify reads the limits back from the kernel and, on cgroup v1 with a
// write limit, times synchronous direct writes to the data directory from
// a thread of the agent outside and then inside the container's cgroup (v1
// moves one thread, and it is moved back after). Held when the limits read
// back and, where timed, the writes are slowed as the lab's throttle
// judges it (disk.Slowed).
func (f *throttle) Verify(ctx context.Context) (injectors.Evidence, error) {
	now, err := f.current()
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify disk throttle on %s: %w", f.p.Pod, err)
	}
	var read []string
	held := true
	for i, w := range f.writes() {
		read = append(read, strings.TrimPrefix(w.File, "blkio.throttle.")+"="+strings.TrimPrefix(now[i].Value, f.p.Device+" "))
		if !sameLimit(now[i].Value, w.Value) {
			held = false
		}
	}
	sum := fmt.Sprintf("disk %s of %s: %s in %s", f.p.Device, f.p.Pod, strings.Join(read, " "), filepath.Base(f.p.Cgroup))
	ev := map[string]any{"cgroup": f.p.Cgroup, "device": f.p.Device, "read": read}
	if f.p.Version == 1 && (f.p.Limits.WriteIOPS > 0 || f.p.Limits.WriteBPS > 0) {
		before, err := directWrites(filepath.Join(f.p.Data, probeFile))
		if err != nil {
			return injectors.Evidence{}, fmt.Errorf("verify disk throttle on %s: %w", f.p.Pod, err)
		}
		during, err := threadWriteLatency(f.p.Data, f.p.Root, f.p.Cgroup)
		if err != nil {
			return injectors.Evidence{}, fmt.Errorf("verify disk throttle on %s: %w", f.p.Pod, err)
		}
		held = held && disk.Slowed(before, during, f.p.Limits)
		sum += fmt.Sprintf("; sync write %v outside, %v inside its cgroup", before.Round(time.Microsecond), during.Round(time.Microsecond))
		ev["before"], ev["during"] = before, during
	}
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: held, Summary: sum, Data: b}, nil
}

// sameLimit compares a value read back with the one written: v2 lists
// only the keys that are not max.
func sameLimit(read, wrote string) bool {
	if read == wrote {
		return true
	}
	if !strings.Contains(wrote, "=") { // v1: "MAJ:MIN value", read back as written
		return false
	}
	keys := func(s string) map[string]string {
		m := map[string]string{}
		for _, f := range strings.Fields(s)[1:] {
			if k, v, ok := strings.Cut(f, "="); ok && v != "max" {
				m[k] = v
			}
		}
		return m
	}
	if len(strings.Fields(read)) < 1 || len(strings.Fields(wrote)) < 1 {
		return false
	}
	a, b := keys(read), keys(wrote)
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// probeFile is the file a write probe writes in the data directory.
const probeFile = ".faultline-io-probe"

// threadWriteLatency times synchronous direct 4 KiB writes to a file in
// dir on a locked thread of its own, first moved into the v1 cgroup cg
// under root and moved back after. Should
// the move back fail, the thread is never handed back to the Go scheduler
// and ends with its goroutine — unless it is the process's main thread,
// which Go keeps: then the error says so.
func threadWriteLatency(dir, root, cg string) (time.Duration, error) {
	type result struct {
		d   time.Duration
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		tid := unix.Gettid()
		home, err := threadCgroup(root, tid)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		task := disk.Write{File: "tasks", Value: strconv.Itoa(tid)}
		if err := task.Apply(cg); err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		d, err := directWrites(filepath.Join(dir, probeFile))
		if berr := task.Apply(home); berr != nil {
			if tid == unix.Getpid() {
				berr = fmt.Errorf("the agent's main thread is left in %s: %w", cg, berr)
			}
			ch <- result{err: errors.Join(err, berr)} // locked: the thread ends with this goroutine
			return
		}
		runtime.UnlockOSThread()
		ch <- result{d, err}
	}()
	r := <-ch
	return r.d, r.err
}

// threadCgroup is the directory under root of the v1 cgroup that holds
// thread tid of this process.
func threadCgroup(root string, tid int) (string, error) {
	rel, err := disk.ProcCgroupAt(fmt.Sprintf("/proc/%d/task", os.Getpid()), tid, 1)
	if err != nil {
		return "", fmt.Errorf("cgroup of the agent's thread %d: %w", tid, err)
	}
	return cgroupDir(root, rel, "tasks", tid)
}

func directWrites(file string) (time.Duration, error) {
	fd, err := unix.Open(file, unix.O_WRONLY|unix.O_CREAT|unix.O_DIRECT|unix.O_DSYNC|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("write probe %s: %w", file, err)
	}
	defer os.Remove(file)
	defer unix.Close(fd)
	buf, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE) // aligned for O_DIRECT
	if err != nil {
		return 0, err
	}
	defer unix.Munmap(buf)
	t0 := time.Now()
	for i := range disk.ProbeWrites {
		if _, err := unix.Pwrite(fd, buf, int64(i)*4096); err != nil {
			return 0, fmt.Errorf("write probe %s: %w", file, err)
		}
	}
	return time.Since(t0) / disk.ProbeWrites, nil
}

// diskOf is the MAJ:MIN of the whole disk that holds path, as blkio and
// io.max want it (a partition's parent disk).
func diskOf(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", err
	}
	maj, min := unix.Major(st.Dev), unix.Minor(st.Dev)
	if maj == 0 {
		return "", fmt.Errorf("on a filesystem without a block device (device 0:%d, e.g. overlay or tmpfs): only a volume on a disk can be throttled", min)
	}
	dev := fmt.Sprintf("%d:%d", maj, min)
	sys := filepath.Join("/sys/dev/block", dev)
	if _, err := os.Stat(filepath.Join(sys, "partition")); err == nil {
		b, err := os.ReadFile(filepath.Join(sys, "..", "dev"))
		if err != nil {
			return "", fmt.Errorf("disk of partition %s: %w", dev, err)
		}
		dev = strings.TrimSpace(string(b))
	}
	return dev, nil
}

// cgroupDir is the directory of the cgroup rel (as /proc/<pid>/cgroup
// names it) under root whose file (cgroup.procs for a process, tasks for
// a v1 thread) lists id. Inside a kind node or a nested container the
// hierarchy is mounted from a deeper point than the path names, so leading
// components are dropped until one lists it.
func cgroupDir(root, rel, file string, id int) (string, error) {
	parts := strings.Split(strings.Trim(rel, "/"), "/")
	for i := 0; i <= len(parts); i++ {
		dir := filepath.Join(append([]string{root}, parts[i:]...)...)
		if listed(filepath.Join(dir, file), id) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no cgroup under %s lists %d in %s (it is in %s)", root, id, file, rel)
}

// listed reports whether a cgroup's cgroup.procs or tasks file lists id.
func listed(file string, id int) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	want := strconv.Itoa(id)
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if sc.Text() == want {
			return true
		}
	}
	return false
}
