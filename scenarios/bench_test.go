package scenarios

import (
	"io"
	"testing"

	"faultline.dev/faultline/scenarios/library"
)

func BenchmarkLoadLibraryScenario(b *testing.B) {
	data, err := library.Get("replication-semisync-failover")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := LoadBytes("bench.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadBadFile(b *testing.B) {
	data := []byte(planDoc + "    - {at: 1s, kil: {}, select: {nodes: [n9]}}\n")
	for b.Loop() {
		if _, err := LoadBytes("bench.yaml", data); err == nil {
			b.Fatal("bad file loaded")
		}
	}
}

func BenchmarkPlan(b *testing.B) {
	s, err := LoadBytes("plan.yaml", []byte(planDoc))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := NewPlan(s, 1).WriteTable(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
