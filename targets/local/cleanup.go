package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"

	"faultline.dev/faultline/targets/local/diskfs"
)

// owner matches what belongs to one lab (or any lab when lab is ""),
// optionally only under one state directory. It needs no lab state.
type owner struct {
	lab      string
	stateDir string // "" = any state directory
}

// path reports whether a file path lies inside a matching lab directory.
func (o owner) path(p string) bool {
	prefix := "/labs/"
	if o.lab != "" {
		prefix += o.lab + "/"
	}
	if o.stateDir != "" {
		return strings.HasPrefix(p, filepath.Clean(o.stateDir)+prefix)
	}
	return strings.Contains(p, prefix)
}

func (o owner) cgroup(name string) bool {
	if o.lab == "" {
		return strings.HasPrefix(name, "faultline-")
	}
	return name == "faultline-"+o.lab || strings.HasPrefix(name, "faultline-"+o.lab+"-")
}

// found is everything of a lab present on the machine.
type found struct {
	procs   []int
	cgroups []string
	mounts  []string
	loops   []string
	links   []string
	netns   []string
	rules   []fwdRule
}

func (f found) list() []string {
	var out []string
	for _, p := range f.procs {
		out = append(out, "process "+strconv.Itoa(p)+" "+cmdline(p))
	}
	add := func(kind string, xs []string) {
		for _, x := range xs {
			out = append(out, kind+" "+x)
		}
	}
	add("cgroup", f.cgroups)
	add("mount", f.mounts)
	add("loop", f.loops)
	add("link", f.links)
	add("netns", f.netns)
	for _, r := range f.rules {
		out = append(out, "firewall rule "+r.String())
	}
	return out
}

func scan(ctx context.Context, o owner) (found, error) {
	var f found
	f.procs = processes(o)
	f.cgroups = cgroups(o)
	f.mounts = mountPoints(o.path)
	f.loops = loopDevices(o.path)
	links, err := netlink.LinkList()
	if err != nil {
		return f, fmt.Errorf("list links: %w", err)
	}
	for _, l := range links {
		if ownsLink(o.lab, l.Attrs().Name) {
			f.links = append(f.links, l.Attrs().Name)
		}
	}
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if ownsNetns(o.lab, e.Name()) {
			f.netns = append(f.netns, e.Name())
		}
	}
	bs, err := iptablesBackends(ctx)
	if err != nil {
		return f, fmt.Errorf("list firewall rules: %w", err)
	}
	f.rules = labRules(o, bs)
	return f, nil
}

// processes lists live processes whose command line names a matching lab path.
func processes(o owner) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() || !alive(pid) {
			continue
		}
		for _, arg := range strings.Split(cmdline(pid), " ") {
			_, value, _ := strings.Cut(arg, "=")
			if o.path(arg) || o.path(value) {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return string(bytes.TrimSpace(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
}

// cgroups lists cgroup directories named after a matching lab (v1 and v2).
func cgroups(o owner) []string {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/faultline-*")
	more, _ := filepath.Glob("/sys/fs/cgroup/faultline-*")
	var out []string
	for _, d := range append(dirs, more...) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && o.cgroup(filepath.Base(d)) {
			out = append(out, d)
		}
	}
	return out
}

// Leftovers lists every namespace, link, mount, loop device, cgroup,
// process and firewall rule of lab name ("" = any lab) still present, whatever the state
// directory. Tests use it to assert a clean teardown.
func Leftovers(ctx context.Context, name string) ([]string, error) {
	if name != "" {
		if err := ValidateName(name); err != nil {
			return nil, err
		}
	}
	f, err := scan(ctx, owner{lab: name})
	return f.list(), err
}

// teardown removes everything o matches, in dependency order: processes,
// cgroups, mounts, loop devices, veths, namespaces, bridges, firewall rules.
func teardown(ctx context.Context, o owner) error {
	f, err := scan(ctx, o)
	if err != nil {
		return err
	}
	var errs []error
	// servers first, then the disk-fault layers they used: unmount each
	// layer (its daemon then exits) before killing what is left of it
	var layers []int
	for _, pid := range f.procs {
		if isDiskLayer(pid) {
			layers = append(layers, pid)
			continue
		}
		errs = append(errs, stopPID(ctx, pid, false, 0))
	}
	for _, m := range f.mounts {
		if diskfs.Mounted(m) {
			errs = append(errs, unmount(m))
		}
	}
	for _, pid := range layers {
		errs = append(errs, stopPID(ctx, pid, false, 0))
	}
	for _, d := range f.cgroups {
		if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove cgroup %s: %w", d, err))
		}
	}
	for _, m := range f.mounts {
		errs = append(errs, unmount(m))
	}
	for _, dev := range f.loops {
		errs = append(errs, detachLoop(ctx, dev))
	}
	// veths before namespaces, bridges last
	for _, l := range f.links {
		if !isBridge(l) {
			errs = append(errs, deleteLink(l))
		}
	}
	for _, ns := range f.netns {
		errs = append(errs, deleteNetns(ns))
	}
	for _, l := range f.links {
		if isBridge(l) {
			errs = append(errs, deleteLink(l))
		}
	}
	for _, r := range f.rules {
		errs = append(errs, deleteRule(ctx, r))
	}
	return errors.Join(errs...)
}

func isBridge(link string) bool { return strings.HasPrefix(link, "fl-") }

// downByName tears down lab n and removes its directory.
func downByName(ctx context.Context, n names, log io.Writer) error {
	start := time.Now()
	err := teardown(ctx, owner(n)) // the lab, in its state directory only
	if err == nil {
		err = os.RemoveAll(n.labDir())
	}
	if err != nil {
		return fmt.Errorf("lab %s down: %w", n.lab, err)
	}
	if log != nil {
		fmt.Fprintf(log, "lab %s: down (%.2fs)\n", n.lab, time.Since(start).Seconds())
	}
	return nil
}

// Down tears the lab down; it is idempotent.
func (l *Lab) Down(ctx context.Context) error {
	l.mu.Lock()
	for node, db := range l.dbs {
		db.Close()
		delete(l.dbs, node)
	}
	l.mu.Unlock()
	return downByName(ctx, l.n, l.log)
}

// Down tears down lab name under stateDir without needing its state.
func Down(ctx context.Context, name, stateDir string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	return downByName(ctx, names{lab: name, stateDir: StateDir(stateDir)}, nil)
}

// DownAll tears down every lab under stateDir, then every orphan: a lab
// namespace, bridge (fl-*), mount or firewall rule whose lab has no live
// process — what a harness killed mid-run leaves, whatever its state
// directory. Labs of other state directories that are running (a live
// server or disk-fault layer) are left alone.
func DownAll(ctx context.Context, stateDir string) error {
	dir := StateDir(stateDir)
	var errs []error
	entries, _ := os.ReadDir(filepath.Join(dir, "labs"))
	for _, e := range entries {
		if e.IsDir() && ValidateName(e.Name()) == nil {
			errs = append(errs, downByName(ctx, names{lab: e.Name(), stateDir: dir}, nil))
		}
	}
	f, err := scan(ctx, owner{})
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, lab := range orphanLabs(f) {
		o := owner{lab: lab}
		if len(processes(o)) > 0 {
			continue // running from another state directory
		}
		errs = append(errs, teardown(ctx, o))
	}
	return errors.Join(errs...)
}

// orphanLabs names the labs that namespaces, bridges and firewall rules
// belong to.
func orphanLabs(f found) []string {
	seen := map[string]bool{}
	var out []string
	add := func(lab string) {
		if ValidateName(lab) == nil && !seen[lab] {
			seen[lab] = true
			out = append(out, lab)
		}
	}
	for _, ns := range f.netns {
		rest := strings.TrimPrefix(ns, "fl-")
		if i := strings.LastIndexByte(rest, '-'); i > 0 {
			add(rest[:i])
		}
	}
	for _, l := range f.links {
		if lab, ok := strings.CutPrefix(l, "fl-"); ok {
			add(lab)
		}
	}
	for _, r := range f.rules {
		add(r.lab)
	}
	for _, p := range f.mounts {
		if _, rest, ok := strings.Cut(p, "/labs/"); ok {
			lab, _, _ := strings.Cut(rest, "/")
			add(lab)
		}
	}
	return out
}
