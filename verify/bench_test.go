package verify

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

// bigLedger builds an n-operation ledger history in memory: 8 clients over 3
// Galera nodes, one write every 100 µs lasting 500 µs, a probe round every
// second, a partition (20–30 s, failed and indeterminate writes 22–25 s,
// 50 acknowledged writes just before it lost) and a kill (60–70 s, outage
// 60.5–62 s). Events are produced in time order.
func bigLedger(n int) *Input {
	const step, dur = int64(100e3), int64(500e3)
	lag := int(dur / step)
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, n*8)
	vals := make([][]byte, n)
	typs := make([]history.Type, n)
	ev := make([]history.Event, 0, 2*n+n/3000+16)
	nodes := []string{"n1", "n2", "n3"}
	var kept []int64
	for i := 0; i < n+lag; i++ {
		t := int64(i) * step
		if j := i - lag; j >= 0 && j < n { // completion of op j
			ev = append(ev, history.Event{Time: t, Process: j % 8, Type: typs[j], F: "add", Value: vals[j], Node: nodes[j%3]})
		}
		if t%int64(time.Second) == 0 {
			ev = appendProbeRound(ev, t, nodes)
		}
		ev = appendFaults(ev, t)
		if i >= n {
			continue
		}
		start := len(buf)
		buf = strconv.AppendInt(buf, int64(i), 10)
		vals[i] = buf[start:len(buf):len(buf)]
		typs[i] = bigOutcome(rng, t+dur)
		ev = append(ev, history.Event{Time: t, Process: i % 8, Type: history.Invoke, F: "add", Value: vals[i], Node: nodes[i%3]})
		lost := t+dur >= 19_500_000_000 && t+dur < 20_000_000_000 && i%10 == 0
		if (typs[i] == history.OK && !lost) || (typs[i] == history.Info && i%2 == 0) {
			kept = append(kept, int64(i))
		}
	}
	f := &history.Final{Workload: "ledger", Converged: true, Time: int64(n+lag) * step}
	for _, name := range nodes {
		l := append([]int64(nil), kept...)
		rng.Shuffle(len(l), func(a, b int) { l[a], l[b] = l[b], l[a] })
		f.Nodes = append(f.Nodes, history.FinalNode{Node: name, Reachable: true, Ledger: l})
	}
	for i := range ev {
		ev[i].Index = int64(i)
	}
	return &Input{Events: ev, Final: f}
}

func bigOutcome(rng *rand.Rand, done int64) history.Type {
	inOutage := (done >= 22e9 && done < 25e9) || (done >= 60.5e9 && done < 62e9)
	switch {
	case !inOutage:
		return history.OK
	case rng.IntN(10) < 3:
		return history.Info
	}
	return history.Fail
}

func appendProbeRound(ev []history.Event, t int64, nodes []string) []history.Event {
	for _, n := range nodes {
		p := galera(n, "Primary", 3, 3)
		ev = append(ev, history.Event{Time: t, Process: history.ProcessProbe, Type: history.Probe, Probe: &p})
	}
	return ev
}

var bigFaults = map[int64]history.FaultEvent{
	20e9: {ID: "f1", Kind: "partition", Phase: history.FaultStart},
	30e9: {ID: "f1", Kind: "partition", Phase: history.FaultHealed},
	60e9: {ID: "f2", Kind: "kill", Phase: history.FaultStart},
	70e9: {ID: "f2", Kind: "kill", Phase: history.FaultHealed},
}

func appendFaults(ev []history.Event, t int64) []history.Event {
	if f, ok := bigFaults[t]; ok {
		ev = append(ev, history.Event{Time: t, Process: history.ProcessNemesis, Type: history.Fault, Fault: &f})
	}
	return ev
}

// heapSampler records the highest HeapAlloc seen while running.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func sampleHeap() *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			s.peak = max(s.peak, m.HeapAlloc)
			select {
			case <-s.stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return s
}

func (s *heapSampler) done() uint64 {
	close(s.stop)
	s.wg.Wait()
	return s.peak
}

// BenchmarkLedgerCheckers1M runs lost-writes, split-brain, rpo and rto over
// a 1M-operation ledger history. Besides ns/op it reports the bytes the
// checkers allocated (an upper bound of their extra heap), the sampled peak
// heap above the input's, the input's own heap, and the CPU time used.
func BenchmarkLedgerCheckers1M(b *testing.B) {
	base := bigLedger(1_000_000)
	cs := []Checker{LostWrites{}, SplitBrain{}, RPO{}, RTO{}}
	var alloc, peakExtra, input uint64
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		in := &Input{Events: base.Events, Final: base.Final}
		s := sampleHeap()
		cpu0 := cpuTime()
		b.StartTimer()
		vs := RunAll(context.Background(), in, cs, time.Minute)
		b.StopTimer()
		cpu += cpuTime() - cpu0
		peak := s.done()
		runtime.ReadMemStats(&after)
		alloc = max(alloc, after.TotalAlloc-before.TotalAlloc)
		peakExtra = max(peakExtra, peak-min(peak, before.HeapAlloc))
		input = before.HeapAlloc
		want := []Status{Invalid, Valid, Measured, Measured} // rpo and rto: no thresholds
		for i, v := range vs {
			if v.Status != want[i] {
				b.Fatalf("%s: %s (%s)", v.Check, v.Status, v.Summary)
			}
		}
		b.StartTimer()
	}
	mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
	b.ReportMetric(mb(alloc), "alloc-MB/op")
	b.ReportMetric(mb(peakExtra), "peak-extra-heap-MB")
	b.ReportMetric(mb(input), "input-heap-MB")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time, steadier than wall
// time on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLinearizable20k checks a 20 000-operation register history (10
// clients, 10 keys) generated from the serial model.
func BenchmarkLinearizable20k(b *testing.B) {
	ev := genRegister(rngFor(7), 10, 20_000, 10).events()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		v := Linearizable{}.Check(ctx, &Input{Events: ev})
		cancel()
		if v.Status != Valid {
			b.Fatalf("%s: %s", v.Status, v.Summary)
		}
	}
}
