package disk_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/injectors/all"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/diskfs"
	"faultline.dev/faultline/targets/local/localtest"
)

// TestMain serves the disk-fault layer when the lab re-executes this binary.
func TestMain(m *testing.M) {
	diskfs.MaybeServe()
	os.Exit(m.Run())
}

// commitP50 is the median latency of n autocommit single-row INSERTs.
func commitP50(t *testing.T, db *sql.DB, n int) time.Duration {
	t.Helper()
	lat := make([]time.Duration, n)
	for i := range lat {
		t0 := time.Now()
		if _, err := db.Exec("INSERT INTO fl.t (v) VALUES (?)", i); err != nil {
			t.Fatalf("insert: %v", err)
		}
		lat[i] = time.Since(t0)
	}
	slices.Sort(lat)
	return lat[n/2]
}

// leftovers is what the audit finds of disk faults on the lab's nodes (other
// packages' tests may leave unrelated cgroups while this runs).
func leftovers(t *testing.T, ctx context.Context, lab *local.Lab) []string {
	t.Helper()
	left, err := all.Leftovers(ctx, "", lab)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range left {
		if !strings.HasPrefix(l, "cgroup ") {
			out = append(out, l)
		}
	}
	return out
}

func TestIntegrationDiskFault(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 1, DiskFaults: true})
	h, err := lab.Handles("n1")
	if err != nil {
		t.Fatal(err)
	}
	if !diskfs.Mounted(h.DiskFaultDir) {
		t.Fatalf("no disk-fault layer mounted at %s", h.DiskFaultDir)
	}
	n, _ := targets.NodeByName(lab, "n1")
	db, err := sql.Open("mysql", n.DSN("", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{"CREATE DATABASE fl", "CREATE TABLE fl.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	before := commitP50(t, db, 60)

	t.Run("fsync delay raises commit latency", func(t *testing.T) {
		f := newFault(t, h, disk.FaultParams{Delay: 20 * time.Millisecond, Ops: []string{"fsync"}})
		inject(t, ctx, f)
		during := commitP50(t, db, 30)
		if left := leftovers(t, ctx, lab); len(left) != 1 || !strings.Contains(left[0], "diskfault.json") {
			t.Errorf("audit during the fault: %v, want the control file", left)
		}
		recoverFault(t, ctx, f)
		after := commitP50(t, db, 60)
		t.Logf("commit p50: %v before, %v with 20ms fsync delay, %v after recovery", before, during, after)
		if during < before+15*time.Millisecond {
			t.Errorf("commit p50 %v under the fault, %v before: want at least 15ms more", during, before)
		}
		if after > before+10*time.Millisecond {
			t.Errorf("commit p50 %v after recovery, %v before: not back to normal", after, before)
		}
	})

	t.Run("EIO on open fails table creation, node survives", func(t *testing.T) {
		f := newFault(t, h, disk.FaultParams{ErrorRate: 100, Ops: []string{"open"}, Path: "fl/eio"})
		inject(t, ctx, f)
		_, err := db.ExecContext(ctx, "CREATE TABLE fl.eio (id INT PRIMARY KEY)")
		t.Logf("CREATE TABLE under the fault: %v", err)
		if err == nil {
			t.Error("CREATE TABLE succeeded under 100% EIO on open")
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO fl.t (v) VALUES (1)"); err != nil {
			t.Errorf("node stopped serving other tables under the fault: %v", err)
		}
		recoverFault(t, ctx, f)
		if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS fl.eio (id INT PRIMARY KEY)"); err != nil {
			t.Errorf("CREATE TABLE after recovery: %v", err)
		}
	})

	t.Run("EIO on redo log writes stops the node, restart after recovery", func(t *testing.T) {
		var rows int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM fl.t").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		f := newFault(t, h, disk.FaultParams{ErrorRate: 100, Ops: []string{"write"}, Path: "ib_logfile"})
		if err := f.Inject(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, "INSERT INTO fl.t (v) VALUES (2)")
		t.Logf("INSERT under the fault: %v", err)
		deadline := time.Now().Add(20 * time.Second)
		for pid, _ := lab.PID("n1"); pid != 0; pid, _ = lab.PID("n1") {
			if time.Now().After(deadline) {
				t.Fatalf("mariadbd %d still running 20 s after EIO on its redo log", pid)
			}
			time.Sleep(100 * time.Millisecond)
		}
		recoverFault(t, ctx, f)
		if err := lab.StartNode(ctx, "n1"); err != nil {
			t.Fatalf("restart after recovery: %v", err)
		}
		if err := lab.WaitHealthy(ctx); err != nil {
			t.Fatalf("healthy after restart: %v", err)
		}
		var after int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM fl.t").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after < rows {
			t.Errorf("%d rows after the restart, %d committed before the fault", after, rows)
		}
	})

	t.Run("a dead layer is remounted when the node starts", func(t *testing.T) {
		pid := layerPID(t, h.DiskFaultDir)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := lab.StopNode(ctx, "n1", false); err != nil {
			t.Fatal(err)
		}
		if err := lab.StartNode(ctx, "n1"); err != nil {
			t.Fatalf("start on a dead layer: %v", err)
		}
		if err := lab.WaitHealthy(ctx); err != nil {
			t.Fatalf("healthy after remount: %v", err)
		}
		if layerPID(t, h.DiskFaultDir) == pid {
			t.Error("the layer was not restarted")
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO fl.t (v) VALUES (3)"); err != nil {
			t.Errorf("write after remount: %v", err)
		}
	})

	left, err := local.Leftovers(ctx, lab.Name())
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(left, "\n"); !strings.Contains(joined, "mount "+h.DiskFaultDir) || !strings.Contains(joined, diskfs.FsName+" --mount=") {
		t.Errorf("lab leftovers while up do not list the layer's mount and daemon:\n%s", joined)
	}
	if left := leftovers(t, ctx, lab); len(left) != 0 {
		t.Errorf("audit after recovery: %v", left)
	}
	if err := lab.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	if left, err := local.Leftovers(ctx, lab.Name()); err != nil || len(left) != 0 {
		t.Fatalf("leftovers after down: %v %v", left, err)
	}
	if diskfs.Mounted(h.DiskFaultDir) {
		t.Fatalf("layer still mounted at %s", h.DiskFaultDir)
	}
}

func newFault(t *testing.T, h targets.NodeHandles, p disk.FaultParams) *disk.Fault {
	t.Helper()
	p.RunID, p.Node, p.Control, p.Dir = "test", h.Node, h.DiskFaultFile, h.DiskFaultDir
	f, err := disk.NewFault(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func inject(t *testing.T, ctx context.Context, f *disk.Fault) {
	t.Helper()
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := f.Verify(ctx)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var data disk.FaultEvidence
	json.Unmarshal(ev.Data, &data)
	t.Logf("verify: held=%v %s", ev.Held, ev.Summary)
	if !ev.Held {
		t.Errorf("fault not verified: %s", ev.Summary)
	}
}

// recoverFault recovers twice through a fault rebuilt from its params, as
// `faultline recover` does after a harness crash.
func recoverFault(t *testing.T, ctx context.Context, f *disk.Fault) {
	t.Helper()
	rebuilt, err := disk.FaultFromParams(f.Params())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := rebuilt.Recover(ctx); err != nil {
			t.Fatalf("recover: %v", err)
		}
	}
}

// layerPID is the pid of the layer daemon serving mount.
func layerPID(t *testing.T, mount string) int {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if strings.Contains(string(b), "\x00--mount="+mount+"\x00") {
			return pid
		}
	}
	t.Fatalf("no layer daemon for %s", mount)
	return 0
}
