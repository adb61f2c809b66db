package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInRootResolvesLinksInsideTheContainer(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "run", "faultline"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "var"), 0o755))
	must(t, os.Symlink("/run", filepath.Join(root, "var", "run"))) // Debian's /var/run → /run
	must(t, os.Symlink("../run/faultline", filepath.Join(root, "var", "fl")))
	for in, want := range map[string]string{
		"/var/run/faultline/faketime": "/run/faultline/faketime",
		"/var/fl/faketime":            "/run/faultline/faketime",
		"/../../run/faultline/x":      "/run/faultline/x",
	} {
		got, err := InRoot(root, in)
		if err != nil || got != filepath.Join(root, want) {
			t.Errorf("InRoot(%s) = %q, %v; want %s under the root", in, got, err, want)
		}
	}
	if _, err := InRoot(root, "/nope/faketime"); err == nil {
		t.Error("a missing directory resolved")
	}
}

func TestProcResolverFindsTheContainersProcess(t *testing.T) {
	proc := t.TempDir()
	const id = "4f1c2a9be0d3aa11223344556677889900aabbccddeeff001122334455667788"
	fake := func(pid, comm, cgroup string) {
		dir := filepath.Join(proc, pid)
		must(t, os.MkdirAll(dir, 0o755))
		must(t, os.WriteFile(filepath.Join(dir, "comm"), []byte(comm+"\n"), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, "cgroup"), []byte(cgroup), 0o644))
	}
	fake("40", "bash", "0::/kubelet.slice/kubepods-pod1.slice/cri-containerd-"+id+".scope\n")
	fake("52", "mariadbd", "12:pids:/kubepods/besteffort/pod1/"+id+"\n")
	fake("60", "mariadbd", "12:pids:/kubepods/besteffort/pod2/other\n")
	must(t, os.MkdirAll(filepath.Join(proc, "self"), 0o755))
	resolve := ProcResolver(proc)
	p, err := resolve(Pod{Name: "fl/galera-0", ContainerID: "containerd://" + id, Process: "mariadbd"})
	if err != nil || p.PID != 52 || p.NetNS != filepath.Join(proc, "52", "ns", "net") || p.Root != filepath.Join(proc, "52", "root") {
		t.Fatalf("resolved %+v, %v; want mariadbd 52", p, err)
	}
	if p, err := resolve(Pod{Name: "fl/galera-0", ContainerID: id}); err != nil || p.PID != 40 {
		t.Errorf("no process name: %+v, %v; want the container's first process 40", p, err)
	}
	if _, err := resolve(Pod{Name: "fl/galera-9", ContainerID: "containerd://" + strings.Repeat("9", 64)}); err == nil || !strings.Contains(err.Error(), "hostPID") {
		t.Errorf("a container not on the node: %v; want an error naming hostPID", err)
	}
	if _, err := resolve(Pod{Name: "fl/galera-0", ContainerID: id, Process: "mysqld"}); err == nil || !strings.Contains(err.Error(), "mariadbd") {
		t.Errorf("a missing process: %v; want an error listing what the container runs", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
