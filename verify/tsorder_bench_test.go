package verify

import (
	"context"
	"testing"
)

// BenchmarkTimestampOrder: 100k writes on three nodes, one of them stamping
// 5 ms ahead, 8 in flight at a time.
func BenchmarkTimestampOrder(b *testing.B) {
	rng := rngFor(1)
	ws := make([]stampedWrite, 100_000)
	for i := range ws {
		call := int64(i) * 125_000 // ns: 8 clients at 1 ms per write
		node := rng.IntN(3)
		ts := (call + 500_000) / 1000 // µs, inside the write
		if node == 1 {
			ts += 5000
		}
		ws[i] = stampedWrite{value: int64(i), node: node, call: call, ret: call + 1_000_000, ts: ts}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := countInversions(context.Background(), ws, 3, maxTSExamples); err != nil {
			b.Fatal(err)
		}
	}
}
