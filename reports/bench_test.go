package reports

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"faultline.dev/faultline/history"
)

// bigRun is about one million history events: 10 minutes at 830 ops/s.
var bigRun = synth{seconds: 600, rate: 830, clients: 32, partStart: 200, partEnd: 260}

// BenchmarkRenderAll1M renders all four documents of a run directory whose
// history holds about 1M events. Besides time and allocations per render it
// reports the live heap of the loaded model and the size of report.html.
func BenchmarkRenderAll1M(b *testing.B) {
	dir := b.TempDir()
	bigRun.write(b, dir)
	st, err := os.Stat(filepath.Join(dir, history.FileHistory))
	must(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		must(b, RenderAll(dir))
	}
	b.StopTimer()
	m, err := Load(dir)
	must(b, err)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-live-heap")
	runtime.KeepAlive(m)
	page, err := os.Stat(filepath.Join(dir, history.FileReport))
	must(b, err)
	b.ReportMetric(float64(page.Size())/(1<<10), "KB-report.html")
	b.ReportMetric(float64(m.Counts.Events), "events")
	b.ReportMetric(float64(st.Size())/(1<<20), "MB-history")
}
