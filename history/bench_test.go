package history

import (
	"bytes"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkWrite writes ledger operations (small integer values) from
// several goroutines, as the workload clients do.
func BenchmarkWrite(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), FileHistory))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(encoded(ledgerEvent(1)))))
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			e := ledgerEvent(i)
			if err := w.Write(&e); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRead reads a history of ledger operations from disk.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), FileHistory)
	w, err := Create(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		e := ledgerEvent(i)
		w.Write(&e)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(encoded(ledgerEvent(1)))))
	b.ResetTimer()
	r, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for ; ; n++ {
		e, err := r.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		sink = e // as a caller would keep it
	}
	if n != b.N {
		b.Fatalf("read %d events, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

var sink *Event

func encoded(e Event) []byte {
	b, _ := appendEvent(nil, &e)
	return b
}

// ledgerLines generates n history lines on the fly, without holding them.
type ledgerLines struct {
	i, n int
	buf  bytes.Buffer
}

func (g *ledgerLines) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.i < g.n {
		e := ledgerEvent(g.i)
		e.Index = int64(g.i)
		e.Err = "connection " + strconv.Itoa(g.i) // unique strings are not interned
		line, _ := appendEvent(nil, &e)
		g.buf.Write(line)
		g.i++
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

// TestReaderMemoryFlat streams a million events and checks that the live
// heap does not grow with the number of events read.
func TestReaderMemoryFlat(t *testing.T) {
	n := 1_000_000
	if testing.Short() || raceEnabled {
		n = 200_000
	}
	r := NewReader(&ledgerLines{n: n}, "generated")
	var ms runtime.MemStats
	var base, peak uint64
	for i := 0; ; i++ {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if e.Index != int64(i) {
			t.Fatalf("event %d has index %d", i, e.Index)
		}
		if i%(n/10) == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if i == 0 {
				base = ms.HeapAlloc
			}
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if grow := int64(peak) - int64(base); grow > 4<<20 {
		t.Fatalf("live heap grew by %d bytes while reading %d events", grow, n)
	}
}

// BenchmarkDecode decodes one ledger line repeatedly, without I/O.
func BenchmarkDecode(b *testing.B) {
	line := bytes.TrimSuffix(encoded(ledgerEvent(12345)), []byte("\n"))
	var d decoder
	b.ReportAllocs()
	for b.Loop() {
		var e Event
		if err := d.decode(line, &e); err != nil {
			b.Fatal(err)
		}
	}
}
