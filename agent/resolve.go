package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Proc is a target container's process as the agent reaches it.
type Proc struct {
	PID   int
	NetNS string // /proc/<pid>/ns/net
	Root  string // /proc/<pid>/root: the container's filesystem
}

// Resolver finds the process of a pod's container on this node.
type Resolver func(Pod) (Proc, error)

// ProcResolver resolves pods by scanning proc (the host's /proc, shared
// through hostPID): a container's processes are those whose cgroup path
// holds its id, whatever the cgroup driver (cgroupfs: /kubepods/…/<id>,
// systemd: …/cri-containerd-<id>.scope) and cgroup version.
// A process found once is remembered while it is still that container's
// process of that name, so a fault costs two small reads, not a scan.
func ProcResolver(proc string) Resolver {
	var mu sync.Mutex
	known := map[Pod]int{}
	return func(p Pod) (Proc, error) {
		id := containerID(p.ContainerID)
		if len(id) < 12 {
			return Proc{}, fmt.Errorf("pod %s: container id %q: want the status's containerd://<id>", p.Name, p.ContainerID)
		}
		mu.Lock()
		defer mu.Unlock()
		if pid, ok := known[p]; ok && still(proc, pid, id, p.Process) {
			return procOf(proc, pid), nil
		}
		pids, err := pidsOf(proc, id)
		if err != nil {
			return Proc{}, fmt.Errorf("pod %s: %w", p.Name, err)
		}
		pid, err := pick(proc, pids, p.Process)
		if err != nil {
			return Proc{}, fmt.Errorf("pod %s container %.12s: %w", p.Name, id, err)
		}
		known[p] = pid
		return procOf(proc, pid), nil
	}
}

func procOf(proc string, pid int) Proc {
	dir := filepath.Join(proc, strconv.Itoa(pid))
	return Proc{PID: pid, NetNS: filepath.Join(dir, "ns", "net"), Root: filepath.Join(dir, "root")}
}

// still reports whether pid is still a process of container id named comm.
func still(proc string, pid int, id, comm string) bool {
	dir := filepath.Join(proc, strconv.Itoa(pid))
	cg, err := os.ReadFile(filepath.Join(dir, "cgroup"))
	if err != nil || !strings.Contains(string(cg), id) {
		return false
	}
	name, err := os.ReadFile(filepath.Join(dir, "comm"))
	return err == nil && (comm == "" || strings.TrimSpace(string(name)) == comm)
}

// containerID strips the runtime prefix of a status container id.
func containerID(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		return s[i+3:]
	}
	return s
}

// pidsOf lists the processes whose cgroup path names container id.
func pidsOf(proc, id string) ([]int, error) {
	entries, err := os.ReadDir(proc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", proc, err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(proc, e.Name(), "cgroup"))
		if err == nil && strings.Contains(string(b), id) {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("no process of container %.12s on this node (is the agent running with hostPID?)", id)
	}
	return pids, nil
}

// pick is the process named comm among pids (the lowest pid when several
// are), or the container's first process when comm is empty.
func pick(proc string, pids []int, comm string) (int, error) {
	best := 0
	var seen []string
	for _, pid := range pids {
		b, err := os.ReadFile(filepath.Join(proc, strconv.Itoa(pid), "comm"))
		if err != nil {
			continue
		}
		name := strings.TrimSpace(string(b))
		seen = append(seen, name)
		if (comm == "" || name == comm) && (best == 0 || pid < best) {
			best = pid
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("no process %q in the container (have %v)", comm, seen)
	}
	return best, nil
}

// Environ is a process's environment.
func Environ(proc string, pid int) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(proc, strconv.Itoa(pid), "environ"))
	if err != nil {
		return nil, fmt.Errorf("environment of %d: %w", pid, err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(b), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env, nil
}

// InRoot is path as the container at root sees it: every symbolic link on
// the way is resolved inside root (an absolute link is relative to root,
// not to the agent's own filesystem), and ".." never climbs out of it.
// The last component need not exist.
func InRoot(root, path string) (string, error) {
	parts := strings.Split(strings.Trim(filepath.Clean("/"+path), "/"), "/")
	cur := "/"
	for hops := 0; len(parts) > 0; {
		part := parts[0]
		parts = parts[1:]
		if part == "" || part == "." {
			continue
		}
		next := filepath.Join(cur, part) // Join cleans "..", and "/.." is "/"
		target, err := os.Readlink(filepath.Join(root, next))
		if errors.Is(err, os.ErrNotExist) && len(parts) == 0 {
			cur = next
			break
		}
		if err != nil { // not a link (EINVAL), or a missing directory
			if _, serr := os.Lstat(filepath.Join(root, next)); serr != nil {
				return "", fmt.Errorf("%s in the container: %w", next, serr)
			}
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return "", fmt.Errorf("%s in the container: too many symbolic links", path)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(cur, target)
		}
		parts = append(strings.Split(strings.Trim(filepath.Clean(target), "/"), "/"), parts...)
		cur = "/"
	}
	return filepath.Join(root, cur), nil
}
