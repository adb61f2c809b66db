package elle

import (
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
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

// BenchmarkFromHistory100k decodes and pairs the events of 100,000
// transactions over 1,000 keys (shorter lists than above: JSON size grows
// with list length).
func BenchmarkFromHistory100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	events := toEvents(b, serialHistory(rng, genConfig{txns: 100_000, keys: 1000, maxOps: 5, infoP: 0.01, failP: 0.01}))
	b.ResetTimer()
	for b.Loop() {
		if _, err := FromHistory(events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "txn/s")
}

// toEvents encodes txns as invoke and completion events in time order.
func toEvents(tb testing.TB, txns []Txn) []history.Event {
	var events []history.Event
	for _, t := range txns {
		inv, err := json.Marshal(unread(t.Ops...))
		if err != nil {
			tb.Fatal(err)
		}
		events = append(events, history.Event{Time: t.Invoke, Process: t.Process, Type: history.Invoke, F: FuncTxn, Value: inv})
		done, err := json.Marshal(t.Ops)
		if err != nil {
			tb.Fatal(err)
		}
		events = append(events, history.Event{Time: t.Complete, Process: t.Process, Type: t.Status, F: FuncTxn, Value: done})
	}
	slices.SortStableFunc(events, func(a, b history.Event) int { return cmp.Compare(a.Time, b.Time) })
	return events
}
