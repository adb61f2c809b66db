package workloads

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/montanaflynn/stats"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/workloads/internal/testdb"
)

// benchDuration is each measured run (FAULTLINE_BENCH_SECONDS overrides).
var benchDuration = func() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("FAULTLINE_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 5 * time.Second
}()

// benchPairs is how many ledger/sysbench pairs run at each concurrency
// (FAULTLINE_BENCH_PAIRS overrides).
var benchPairs = func() int {
	if n, err := strconv.Atoi(os.Getenv("FAULTLINE_BENCH_PAIRS")); err == nil && n > 0 {
		return n
	}
	return 8
}()

// BenchmarkLedgerVsSysbench compares the ledger workload with full history
// recording to `sysbench oltp_insert` (autocommit single-row INSERTs too)
// on one node of a 3-node Galera lab at 1, 8 and 16 clients, measures what
// recording costs, and the memory of a pool that recorded 1M operations.
//
// The lab shares two cores with the client under test, and back-to-back
// runs of one tool drift by ±10 %, more than the difference measured. So
// each concurrency runs benchPairs pairs, the order inside a pair
// alternating (ledger first, then sysbench first, …), and reports the
// median of the pairs' ratios; every pair is logged.
func BenchmarkLedgerVsSysbench(b *testing.B) {
	if _, err := exec.LookPath("sysbench"); err != nil {
		b.Fatalf("sysbench not found (make bench-workload installs it): %v", err)
	}
	nodes := benchGalera(b)
	node := nodes[0]
	for _, clients := range []int{1, 8, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			for range b.N {
				var fls, sbs, ratios, flCPUs, sbCPUs []float64
				for i := range benchPairs {
					var fl, flCPU, sb, sbCPU float64
					ledger := func() { fl, flCPU = ledgerTPS(b, nodes, node.Name, clients, fileRecorder(b)) }
					sysb := func() { sb, sbCPU = sysbenchTPS(b, node, clients) }
					if i%2 == 0 {
						ledger()
						sysb()
					} else {
						sysb()
						ledger()
					}
					fls, sbs, ratios = append(fls, fl), append(sbs, sb), append(ratios, fl/sb)
					flCPUs, sbCPUs = append(flCPUs, flCPU), append(sbCPUs, sbCPU)
					b.Logf("%2d clients, pair %d: faultline ledger %.0f tx/s, sysbench oltp_insert %.0f tx/s, ratio %.2f; client CPU per tx %.0f µs vs %.0f µs",
						clients, i+1, fl, sb, fl/sb, flCPU, sbCPU)
				}
				b.ReportMetric(median(fls), "faultline-tx/s")
				b.ReportMetric(median(sbs), "sysbench-tx/s")
				b.ReportMetric(median(ratios), "ratio")
				b.ReportMetric(median(flCPUs), "faultline-cpu-µs/tx")
				b.ReportMetric(median(sbCPUs), "sysbench-cpu-µs/tx")
				b.Logf("%2d clients: median faultline ledger %.0f tx/s, sysbench oltp_insert %.0f tx/s, ratio %.2f (pairs %.2f)",
					clients, median(fls), median(sbs), median(ratios), ratios)
			}
		})
	}
	b.Run("recording=on-vs-off", func(b *testing.B) {
		for range b.N {
			benchRecordingCost(b, nodes, node.Name, 8)
		}
	})
	b.Run("rss-1M-ops", func(b *testing.B) {
		for range b.N {
			benchRSS(b, 1_000_000)
		}
	})
}

// benchRecordingCost alternates runs with recording off and on,
// benchPairs pairs, and reports the median of the pairs' costs: the lab shares two
// cores with everything else, so single runs drift by more than the cost.
func benchRecordingCost(b *testing.B, nodes []targets.Node, pin string, clients int) {
	var costs, offs, ons, offCPUs, onCPUs []float64
	for range benchPairs {
		off, offCPU := ledgerTPS(b, nodes, pin, clients, NopRecorder{})
		on, onCPU := ledgerTPS(b, nodes, pin, clients, fileRecorder(b))
		offs, ons = append(offs, off), append(ons, on)
		offCPUs, onCPUs = append(offCPUs, offCPU), append(onCPUs, onCPU)
		costs = append(costs, (off-on)/off*100)
	}
	b.ReportMetric(median(offs), "off-tx/s")
	b.ReportMetric(median(ons), "on-tx/s")
	b.ReportMetric(median(costs), "cost-%")
	b.ReportMetric(median(onCPUs)-median(offCPUs), "recording-cpu-µs/tx")
	b.Logf("%d clients: recording off %.0f tx/s, on %.0f tx/s (medians); cost per pair %.1f%%, median %.1f%%; client CPU per tx off %.1f µs, on %.1f µs",
		clients, median(offs), median(ons), costs, median(costs), median(offCPUs), median(onCPUs))
}

// median of xs (0 when empty).
func median(xs []float64) float64 {
	m, _ := stats.Median(xs)
	return m
}

// fileRecorder records into a real history file in a temporary directory.
func fileRecorder(b *testing.B) *WriterRecorder {
	w, err := history.Create(filepath.Join(b.TempDir(), history.FileHistory))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	return &WriterRecorder{W: w}
}

// ledgerTPS runs the ledger workload with clients pinned to node pin for
// benchDuration and returns acknowledged adds per second and the CPU time
// this process spent per acknowledged add in µs.
func ledgerTPS(b *testing.B, nodes []targets.Node, pin string, clients int, rec Recorder) (tps, cpuPerTx float64) {
	b.Helper()
	ctx := b.Context()
	w := scenarios.Workload{Kind: scenarios.WorkloadLedger, Clients: clients, Routing: pin}
	wl := mustNew(b, w, 1)
	setupOn(b, wl, nodes[0], nodes...)
	pool, err := NewPool(wl, ConfigFor(w, nodes, nil, rec, nil))
	if err != nil {
		b.Fatal(err)
	}
	cpu0, start := selfCPU(b), time.Now()
	if err := pool.Run(ctx, benchDuration); err != nil {
		b.Fatal(err)
	}
	ok := float64(pool.Stats().Total.OK)
	tps, cpuPerTx = ok/time.Since(start).Seconds(), float64((selfCPU(b)-cpu0).Microseconds())/ok
	if wr, ok := rec.(*WriterRecorder); ok && wr.Err() != nil {
		b.Fatalf("history: %v", wr.Err())
	}
	return tps, cpuPerTx
}

// setupOn runs wl's setup through node and waits until every one of nodes
// holds it.
func setupOn(b testing.TB, wl Workload, node targets.Node, nodes ...targets.Node) {
	b.Helper()
	db, err := openDB(node, "", 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := wl.Setup(b.Context(), db); err != nil {
		b.Fatalf("setup on %s: %v", node.Name, err)
	}
	if err := WaitReady(b.Context(), wl, append(nodes, node), time.Minute); err != nil {
		b.Fatal(err)
	}
}

var sysbenchTx = regexp.MustCompile(`transactions:\s+(\d+)\s+\(([\d.]+) per sec`)

// sysbenchTPS prepares a fresh sbtest1 table on node and runs oltp_insert
// with threads for benchDuration; it returns the transactions per second and
// the CPU time sysbench spent per transaction in µs.
func sysbenchTPS(b *testing.B, node targets.Node, threads int) (tps, cpuPerTx float64) {
	b.Helper()
	args := []string{"oltp_insert", "--db-driver=mysql", "--mysql-host=" + node.Host,
		"--mysql-port=" + strconv.Itoa(node.Port), "--mysql-user=" + node.User,
		"--mysql-db=" + Database, "--tables=1", "--table-size=1"} // 0 makes k out of range
	if node.Password != "" {
		args = append(args, "--mysql-password="+node.Password)
	}
	sysbench(b, append(args, "cleanup")...)
	sysbench(b, append(args, "prepare")...)
	out, cpu := sysbench(b, append(args, "--threads="+strconv.Itoa(threads),
		"--time="+strconv.Itoa(int(benchDuration.Seconds())), "run")...)
	m := sysbenchTx.FindStringSubmatch(out)
	if m == nil {
		b.Fatalf("sysbench output without a transaction rate:\n%s", out)
	}
	tps, _ = strconv.ParseFloat(m[2], 64)
	n, _ := strconv.ParseFloat(m[1], 64) // total transactions
	return tps, float64(cpu.Microseconds()) / n
}

// sysbench runs sysbench with args and returns its output and CPU time.
func sysbench(b *testing.B, args ...string) (string, time.Duration) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), benchDuration+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sysbench", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("sysbench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// selfCPU is the CPU time this process has used.
func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRSS runs the ledger workload with a history file until n operations
// have completed, and reports the process's peak RSS during that run. The
// server is a standalone mariadbd without binlog or per-commit flushing,
// so a million commits take about twenty seconds.
func benchRSS(b *testing.B, n int64) {
	srv := testdb.Start(b, "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0")
	w := scenarios.Workload{Kind: scenarios.WorkloadLedger, Clients: 16, Routing: srv.Node.Name}
	wl := mustNew(b, w, 1)
	setupOn(b, wl, srv.Node)
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	rec := &countingRecorder{Recorder: fileRecorder(b), limit: 2 * n, stop: cancel}
	pool, err := NewPool(wl, ConfigFor(w, []targets.Node{srv.Node}, nil, rec, nil))
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	resetPeakRSS(b)
	start := time.Now()
	pool.Run(ctx, 10*time.Minute)
	st := pool.Stats()
	done := st.Total.OK + st.Total.Fail + st.Total.Info
	if done < n {
		b.Fatalf("only %d operations completed", done)
	}
	hwm := procStatusKB(b, "VmHWM")
	b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
	b.Logf("%d operations (%d events) in %s (%.0f ops/s): peak RSS %d MiB", done, rec.n.Load(), time.Since(start).Round(time.Second), float64(done)/time.Since(start).Seconds(), hwm/1024)
}

// countingRecorder stops the run once limit events were recorded.
type countingRecorder struct {
	Recorder
	n     atomic.Int64
	limit int64
	stop  func()
}

func (c *countingRecorder) Record(e *history.Event) {
	c.Recorder.Record(e)
	if c.n.Add(1) == c.limit {
		c.stop()
	}
}

func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset peak RSS (%v): the figure includes earlier runs", err)
	}
}

func procStatusKB(b *testing.B, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// BenchmarkRecordOperation is the CPU cost of recording one operation
// (invoke + ok, ledger-shaped) into a real history file.
func BenchmarkRecordOperation(b *testing.B) {
	rec := fileRecorder(b)
	val := []byte("1000000042")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var i int64
		for pb.Next() {
			i++
			rec.Record(&history.Event{Time: i, Process: 3, Type: history.Invoke, F: "add", Value: val, Node: "n1"})
			rec.Record(&history.Event{Time: i + 1000, Process: 3, Type: history.OK, F: "add", Value: val, Node: "n1"})
		}
	})
}
