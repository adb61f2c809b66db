package elle

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkCheck100k checks 100,000 strict-serializable transactions of 1–5
// micro-ops over 100 keys under strict-serializable.
func BenchmarkCheck100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	txns := serialHistory(rng, genConfig{txns: 100_000, keys: 100, maxOps: 5, infoP: 0.01, failP: 0.01})
	b.ResetTimer()
	for b.Loop() {
		if r := Check(txns, Options{Model: StrictSerializable}); r.Status != Valid {
			b.Fatalf("%s: %v", r.Status, r.Counts)
		}
	}
	b.ReportMetric(float64(len(txns))*float64(b.N)/b.Elapsed().Seconds(), "txn/s")
}
