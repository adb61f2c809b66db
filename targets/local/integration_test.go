package local_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/user"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/internal/faketime"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// open connects to node as the workload user.
func open(t *testing.T, lab *local.Lab, node string) *sql.DB {
	t.Helper()
	n, ok := targets.NodeByName(lab, node)
	if !ok {
		t.Fatalf("no node %s", node)
	}
	db, err := sql.Open("mysql", n.DSN("", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// assertNoLeftovers downs the lab and asserts nothing of it remains.
func assertNoLeftovers(t *testing.T, ctx context.Context, lab *local.Lab) {
	t.Helper()
	if err := lab.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	left, err := local.Leftovers(ctx, lab.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Fatalf("leftovers after down: %v", left)
	}
	if _, err := os.Stat(local.StateDir("") + "/labs/" + lab.Name()); !os.IsNotExist(err) {
		t.Fatalf("lab directory still present (stat: %v)", err)
	}
}

func TestIntegrationGalera(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 3, Faketime: true})
	for _, p := range targets.ProbeAll(ctx, lab) {
		if p.Role != targets.RoleGaleraSynced || !p.Writable || p.ClusterSize != 3 {
			t.Fatalf("probe %s: role %s writable %v size %d, want galera-primary writable size 3 (%+v)", p.Node, p.Role, p.Writable, p.ClusterSize, p)
		}
	}
	assertHandles(t, lab)
	n1, n2, n3 := open(t, lab, "n1"), open(t, lab, "n2"), open(t, lab, "n3")
	mustExec(t, n1, "CREATE DATABASE lab", "CREATE TABLE lab.t (id INT PRIMARY KEY, v INT)", "INSERT INTO lab.t VALUES (1, 1), (2, 2)")
	for name, db := range map[string]*sql.DB{"n2": n2, "n3": n3} {
		mustExec(t, db, "SET SESSION wsrep_sync_wait=1")
		if got := count(t, db, "SELECT COUNT(*) FROM lab.t"); got != 2 {
			t.Fatalf("%s reads %d rows written on n1, want 2", name, got)
		}
	}

	assertSkew(t, lab, "n3", n3)

	// kill n2, write while it is away, restart: it must rejoin by IST
	killed, _ := lab.PID("n2")
	if err := lab.StopNode(ctx, "n2", false); err != nil {
		t.Fatal(err)
	}
	// a killed server cannot remove its libfaketime state; the lab does
	sem, shm := faketime.SharedFiles("/dev/shm", killed)
	waitFor(t, 5*time.Second, "the killed n2's libfaketime state removed", func() bool {
		_, e1 := os.Stat(sem)
		_, e2 := os.Stat(shm)
		return os.IsNotExist(e1) && os.IsNotExist(e2)
	})
	if pid, _ := lab.PID("n2"); pid != 0 {
		t.Fatalf("n2 pid %d after SIGKILL, want 0", pid)
	}
	if p := lab.Probe(ctx, "n2"); p.Reachable || p.Role != targets.RoleDown || p.Err == "" {
		t.Fatalf("probe of a killed node: %+v, want unreachable, down, with an error", p)
	}
	// writes stall until the cluster evicts n2 (evs.suspect_timeout)
	waitFor(t, 30*time.Second, "n1 to see a 2-node cluster", func() bool {
		p := lab.Probe(ctx, "n1")
		return p.ClusterSize == 2 && p.Writable
	})
	mustExec(t, n1, "INSERT INTO lab.t VALUES (3, 3)")
	h, _ := lab.Handles("n2")
	before, _ := os.ReadFile(h.LogFile)
	if err := lab.StartNode(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(h.LogFile)
	restart := string(after[len(before):])
	if !strings.Contains(restart, "IST received") || strings.Contains(restart, "rsync SST completed") {
		t.Errorf("n2 did not rejoin by IST; log since restart:\n%s", restart)
	}
	if strings.Contains(restart, "libfaketime:") {
		t.Errorf("libfaketime complained in n2's restart (its SST script):\n%s", restart)
	}
	assertFaketimeSharedWithChildren(t, lab, "n2")
	mustExec(t, n2, "SET SESSION wsrep_sync_wait=1")
	if got := count(t, n2, "SELECT COUNT(*) FROM lab.t"); got != 3 {
		t.Fatalf("n2 after rejoin reads %d rows, want 3", got)
	}
	assertNoLeftovers(t, ctx, lab)
}

// assertFaketimeSharedWithChildren asserts that libfaketime's shared clock
// state of node's mariadbd belongs to the server user, the user its SST
// scripts run as. Created by root (a server started as root that drops to
// mysql), the children cannot open it, make their own, and die when their
// pid meets a pair left by a killed process: the joiner's SST fails.
func assertFaketimeSharedWithChildren(t *testing.T, lab *local.Lab, node string) {
	t.Helper()
	pid, err := lab.PID(node)
	if err != nil || pid == 0 {
		t.Fatalf("%s pid: %d, %v", node, pid, err)
	}
	u, err := user.Lookup("mysql")
	if err != nil {
		t.Fatal(err)
	}
	sem, shm := faketime.SharedFiles("/dev/shm", pid)
	for _, f := range []string{sem, shm} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s's libfaketime state: %v", node, err)
		}
		if owner := strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid)); owner != u.Uid {
			t.Errorf("%s is owned by uid %s, want the server user's %s (mysql): its SST scripts cannot open it", f, owner, u.Uid)
		}
	}
}

func TestIntegrationReplication(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	lab := localtest.TestLab(t, local.Config{Topology: local.Replication, Nodes: 3, SemiSync: true, SemiSyncTimeout: 2 * time.Second})
	assertRoles(t, ctx, lab, "n1", map[string]string{"n2": "n1", "n3": "n1"})
	n1, n2, n3 := open(t, lab, "n1"), open(t, lab, "n2"), open(t, lab, "n3")
	mustExec(t, n1, "CREATE DATABASE lab", "CREATE TABLE lab.t (id INT PRIMARY KEY, v INT)", "INSERT INTO lab.t VALUES (1, 1)")
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]*sql.DB{"n2": n2, "n3": n3} {
		if got := count(t, db, "SELECT COUNT(*) FROM lab.t"); got != 1 {
			t.Fatalf("%s reads %d rows written on n1, want 1", name, got)
		}
	}
	if _, err := n2.Exec("INSERT INTO lab.t VALUES (9, 9)"); err == nil || !strings.Contains(err.Error(), "1290") {
		t.Fatalf("write on a replica as the workload user: %v, want error 1290 (read-only)", err)
	}

	// stop a replica gracefully, kill another, restart both: they resume replicating
	if err := lab.StopNode(ctx, "n2", true); err != nil {
		t.Fatal(err)
	}
	if err := lab.StartNode(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	if err := lab.StopNode(ctx, "n3", false); err != nil {
		t.Fatal(err)
	}
	mustExec(t, n1, "INSERT INTO lab.t VALUES (2, 2)")
	if err := lab.StartNode(ctx, "n3"); err != nil {
		t.Fatal(err)
	}
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}

	// promote n2: n3 follows it, n1 is only made read-only
	if err := lab.Promote(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	mustExec(t, n2, "INSERT INTO lab.t VALUES (3, 3)")
	waitFor(t, 10*time.Second, "n3 to replicate from the promoted n2", func() bool {
		return count(t, n3, "SELECT COUNT(*) FROM lab.t") == 3
	})
	p1 := lab.Probe(ctx, "n1")
	if p1.Writable || p1.Role != targets.RoleReplica || p1.IORunning != "" {
		t.Fatalf("old primary after promote: %+v, want read-only and not replicating", p1)
	}
	assertListed(t, lab)
	reopened, err := local.Open(lab.Name(), "")
	if err != nil || reopened.Primary() != "n2" || len(reopened.Promotions()) != 1 {
		t.Fatalf("lab.json after promote: primary %q, err %v", reopened.Primary(), err)
	}
	if err := lab.Repoint(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	assertRoles(t, ctx, lab, "n2", map[string]string{"n1": "n2", "n3": "n2"})
	assertNoLeftovers(t, ctx, lab)
}

// assertRoles waits for health, then checks one writable primary and each
// replica's source.
func assertRoles(t *testing.T, ctx context.Context, lab *local.Lab, primary string, sources map[string]string) {
	t.Helper()
	if err := lab.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range targets.ProbeAll(ctx, lab) {
		if p.Node == primary {
			if p.Role != targets.RolePrimary || !p.Writable {
				t.Fatalf("probe %s: %+v, want writable primary", p.Node, p)
			}
			continue
		}
		src, _ := targets.NodeByName(lab, sources[p.Node])
		if p.Role != targets.RoleReplica || p.Writable || p.IORunning != "Yes" || p.SQLRunning != "Yes" || p.Source != src.Host {
			t.Fatalf("probe %s: %+v, want replica of %s", p.Node, p, sources[p.Node])
		}
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// assertSkew writes an offset into node's faketime file and sees its clock
// jump, then puts it back.
func assertSkew(t *testing.T, lab *local.Lab, node string, db *sql.DB) {
	t.Helper()
	h, err := lab.Handles(node)
	if err != nil || h.FaketimeFile == "" {
		t.Fatalf("handles of %s: %+v, %v: want a faketime file", node, h, err)
	}
	offset := func() float64 {
		var ts float64
		if err := db.QueryRow("SELECT UNIX_TIMESTAMP(NOW(6))").Scan(&ts); err != nil {
			t.Fatal(err)
		}
		return ts - float64(time.Now().UnixMicro())/1e6
	}
	for _, tc := range []struct {
		file string
		want float64
	}{{"+3600\n", 3600}, {"+0\n", 0}} {
		if err := os.WriteFile(h.FaketimeFile, []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, fmt.Sprintf("%s clock offset %v s", node, tc.want), func() bool {
			o := offset()
			return o > tc.want-5 && o < tc.want+5
		})
	}
}

// assertHandles checks every node's fault handles name live kernel state,
// and that connection info and logs are there for people.
func assertHandles(t *testing.T, lab *local.Lab) {
	t.Helper()
	info := lab.ConnectInfo()
	for _, n := range lab.Nodes() {
		h, err := lab.Handles(n.Name)
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := lab.PID(n.Name)
		if _, err := os.Stat(h.NetNS); err != nil || pid == 0 || h.Addr.String() != n.Host || h.Link != "eth0" ||
			!regexp.MustCompile(`^\d+:\d+$`).MatchString(h.BlockDevice) || len(h.Ports) != 4 || h.Ports[0] != n.Port {
			t.Fatalf("handles of %s: %+v (pid %d, netns: %v)", n.Name, h, pid, err)
		}
		if _, err := net.InterfaceByName(h.HostLink); err != nil {
			t.Fatalf("host link of %s: %v", n.Name, err)
		}
		if !strings.Contains(info, "mariadb -h "+n.Host+" -P 3306 -u faultline") {
			t.Fatalf("connect info lacks %s:\n%s", n.Name, info)
		}
	}
	dir := t.TempDir()
	if err := lab.Logs(dir); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dir + "/n1.log"); err != nil || !strings.Contains(string(b), "ready for connections") {
		t.Fatalf("n1.log copied from the lab: %v", err)
	}
}

// assertListed checks List reports the lab with a running process per node.
func assertListed(t *testing.T, lab *local.Lab) {
	t.Helper()
	all, err := local.List("")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range all {
		if st.Name != lab.Name() {
			continue
		}
		for _, n := range st.Nodes {
			if n.PID == 0 {
				t.Fatalf("List: %s not running: %+v", n.Name, st)
			}
		}
		return
	}
	t.Fatalf("List does not include lab %s", lab.Name())
}
