package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

// synth describes a synthetic ledger run on a three-node Galera cluster
// with one partition isolating n3.
type synth struct {
	seconds   int   // workload length
	rate      int   // operations per second over all clients
	clients   int   // client processes
	partStart int64 // partition window, seconds
	partEnd   int64
	partial   bool // stop at 70% with a torn last line, no final/verdicts
}

var smallRun = synth{seconds: 60, rate: 20, clients: 4, partStart: 20, partEnd: 35}

const sec = int64(time.Second)

// write creates the run directory files in dir.
func (s synth) write(t testing.TB, dir string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Join(dir, history.DirLogs), 0o755))
	lost := s.writeHistory(t, filepath.Join(dir, history.FileHistory))
	s.writeMeta(t, dir)
	must(t, os.WriteFile(filepath.Join(dir, history.FileScenario), []byte(synthScenario), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, history.FileSeed), []byte("424242\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, history.FilePlan), []byte(`{"steps":[{"id":"step-1","kind":"partition","at":"20s","heal":"35s"}]}`+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, history.DirLogs, "n1.log"), []byte("2026-11-23 11:00:00 0 [Note] WSREP: ready\n"), 0o644))
	if s.partial {
		return
	}
	writeJSON(t, filepath.Join(dir, history.FileFinal), history.Final{
		Workload: "ledger", Time: int64(s.seconds+5) * sec, Converged: true,
		Nodes: []history.FinalNode{{Node: "n1", Reachable: true, GTIDBinlog: "0-1-2400"}, {Node: "n2", Reachable: true, GTIDBinlog: "0-1-2400"}, {Node: "n3", Reachable: true, GTIDBinlog: "0-1-2400"}},
	})
	writeJSON(t, filepath.Join(dir, history.FileVerdicts), synthVerdicts(s, lost))
}

const synthScenario = `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: ledger-partition
spec:
  target:
    local: {topology: galera, nodes: 3}
  workload: {type: ledger, duration: 60s}
  faults:
    - {at: 20s, partition: {isolate: {node: n3}}, heal: 35s}
`

func (s synth) writeMeta(t testing.TB, dir string) {
	started := time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)
	m := RunMeta{
		Scenario: "ledger-partition", RunID: "ledger-partition-20261123T110000Z", Seed: 424242,
		Started: started, DurationSeconds: float64(s.seconds),
		Target: MetaTarget{Kind: "local", Topology: "galera", Nodes: []MetaNode{{"n1", "a"}, {"n2", "b"}, {"n3", "c"}}},
		Environment: MetaEnv{Faultline: "v0.1.0-test", MariaDB: "10.11.14-MariaDB-0+deb12u2", Galera: "26.4.21",
			Kernel: "6.1.0-37-amd64", Go: "go1.26.8", Host: "lab-1"},
		Config: map[string]string{"binlog_format": "ROW", "wsrep_sync_wait": "0", "innodb_flush_log_at_trx_commit": "1"},
	}
	if s.partial {
		m.Partial, m.PartialReason = true, "interrupted (SIGINT) at 42s"
	} else {
		end := started.Add(time.Duration(s.seconds+8) * time.Second)
		m.Ended = &end
	}
	must(t, WriteRunMeta(dir, &m))
}

// writeHistory writes the ledger history and returns the acknowledged
// values that n3 lost (acked during the partition on the minority side).
func (s synth) writeHistory(t testing.TB, path string) []int64 {
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	g := &gen{w: w, rng: rand.New(rand.NewPCG(424242, uint64(s.rate))), s: s}
	g.run()
	if s.partial {
		w.WriteString(`{"i":99999999,"t":4200000`) // torn last line
	}
	must(t, w.Flush())
	return g.lost
}

type gen struct {
	w    *bufio.Writer
	rng  *rand.Rand
	s    synth
	i    int64
	lost []int64
	buf  []byte
}

func (g *gen) emit(e history.Event) {
	e.Index = g.i
	e.Wall = 1795431600*sec + e.Time
	g.i++
	g.buf, _ = json.Marshal(e) // test data: cannot fail
	g.w.Write(g.buf)
	g.w.WriteByte('\n')
}

func (g *gen) inPartition(t int64) bool { return t >= g.s.partStart*sec && t < g.s.partEnd*sec }

func (g *gen) run() {
	end := int64(g.s.seconds) * sec
	if g.s.partial {
		end = end * 7 / 10
	}
	g.emit(history.Event{Time: 0, Process: history.ProcessRunner, Type: history.Mark, F: "workload-start"})
	gap := sec / int64(g.s.rate)
	nextProbe, faultStep := int64(0), 0
	for t, n := int64(0), int64(0); t < end; t, n = t+gap, n+1 {
		for ; nextProbe <= t; nextProbe += sec {
			g.probes(nextProbe)
		}
		faultStep = g.faults(t, faultStep)
		g.op(t, int(n%int64(g.s.clients)), n)
	}
	if !g.s.partial {
		g.emit(history.Event{Time: end, Process: history.ProcessRunner, Type: history.Mark, F: "workload-end"})
	}
}

// op writes one add operation: invoke, then its completion.
func (g *gen) op(t int64, client int, n int64) {
	node := []string{"n1", "n2", "n3"}[client%3]
	v := json.RawMessage(fmt.Sprint(n + 1))
	g.emit(history.Event{Time: t, Process: client, Type: history.Invoke, F: "add", Value: v, Node: node})
	lat := int64(2e6 + g.rng.ExpFloat64()*4e6)
	done := history.Event{Time: t + lat, Process: client, Type: history.OK, F: "add", Value: v, Node: node}
	switch {
	case node == "n3" && g.inPartition(t) && n%7 == 0:
		done.Type, done.Err, done.Time = history.Info, "invalid connection", t+int64(900e6+g.rng.Float64()*3e8)
	case node == "n3" && g.inPartition(t) && n%7 < 4:
		done.Type, done.Err, done.Time = history.Fail, "WSREP has not yet prepared node for application use", t+int64(1e6+g.rng.Float64()*3e6)
	case node == "n3" && g.inPartition(t) && n%7 == 5 && len(g.lost) < 3:
		g.lost = append(g.lost, n+1) // acked by the minority, lost at heal
	case g.rng.IntN(500) == 0:
		done.Type, done.Err = history.Fail, "Deadlock found when trying to get lock"
	}
	g.emit(done)
}

func (g *gen) probes(t int64) {
	for _, n := range []string{"n1", "n2", "n3"} {
		p := &history.ProbeEvent{Node: n, Reachable: true, Writable: true, ClusterStatus: "Primary", ClusterSize: 3, Role: "galera-primary", LocalState: "Synced"}
		if g.inPartition(t) {
			p.ClusterSize = 2
			if n == "n3" {
				p.Writable, p.ClusterStatus, p.ClusterSize, p.Role, p.LocalState = false, "non-Primary", 1, "galera-nonprimary", "Initialized"
			}
		}
		g.emit(history.Event{Time: t + 3e6, Process: history.ProcessProbe, Type: history.Probe, Node: n, Probe: p})
	}
}

// faults emits the partition's lifecycle events due by t.
func (g *gen) faults(t int64, step int) int {
	ps, pe := g.s.partStart*sec, g.s.partEnd*sec
	events := []struct {
		at    int64
		phase history.FaultPhase
	}{{ps, history.FaultStart}, {ps + 40e6, history.FaultEffect}, {pe, history.FaultHealed}}
	for ; step < len(events) && events[step].at <= t; step++ {
		fe := &history.FaultEvent{ID: "step-1", Kind: "partition", Phase: events[step].phase, Targets: []string{"n3"},
			Selector: "node: n3", Summary: "isolate n3 from n1, n2"}
		if fe.Phase == history.FaultEffect {
			fe.Evidence = json.RawMessage(`{"matrix":[{"from":"n3","to":"n1","reachable":false},{"from":"n3","to":"n2","reachable":false},{"from":"n1","to":"n2","reachable":true}]}`)
		}
		g.emit(history.Event{Time: events[step].at, Process: history.ProcessNemesis, Type: history.Fault, Fault: fe})
	}
	return step
}

func synthVerdicts(s synth, lost []int64) []verify.Verdict {
	type lostOp struct {
		Value int64  `json:"value"`
		Node  string `json:"node"`
	}
	ev := struct {
		Acknowledged int      `json:"acknowledged"`
		Lost         []lostOp `json:"lost"`
	}{Acknowledged: s.seconds * s.rate * 9 / 10}
	for _, v := range lost {
		ev.Lost = append(ev.Lost, lostOp{v, "n3"})
	}
	evb, _ := json.Marshal(ev)
	thr := 10 * sec
	return []verify.Verdict{
		{Check: "lost-writes", Status: verify.Invalid, Summary: fmt.Sprintf("%d acknowledged writes missing from every node", len(lost)), Evidence: evb},
		{Check: "split-brain", Status: verify.Valid, Summary: "no key with diverging content"},
		{Check: "rto", Status: verify.Valid, Summary: "writes recovered 4.2s after heal", Windows: []verify.Window{
			{Fault: "step-1", Kind: "partition", Start: s.partStart * sec, End: s.partEnd * sec, Metric: "rto-heal", Value: 4200 * int64(time.Millisecond), Threshold: &thr, Status: verify.Valid},
		}},
		{Check: "rpo", Status: verify.Invalid, Summary: "3 commits lost", Windows: []verify.Window{
			{Fault: "step-1", Kind: "partition", Start: s.partStart * sec, End: s.partEnd * sec, Metric: "rpo", Value: 0, Count: len(lost), Status: verify.Invalid, Note: "acknowledged by the minority"},
		}},
	}
}

func writeJSON(t testing.TB, path string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	must(t, err)
	must(t, os.WriteFile(path, append(b, '\n'), 0o644))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
