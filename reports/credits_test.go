package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
)

// appendCredits appends n3's diskCredits samples to a synthetic run: a
// balance of 6000 falling by 300 a second from 10s, empty at 30s (the
// throttle rewritten to the baseline), a sample that failed to read, and a
// sample of another series.
func appendCredits(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, history.FileHistory)
	events, err := history.ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	i := events[len(events)-1].Index
	line := func(at int64, f, value string) {
		i++
		fmt.Fprintf(&b, `{"i":%d,"t":%d,"wall":0,"p":-1,"type":"sample","f":%q,"node":"n3","value":%s}`+"\n", i, at, f, value)
	}
	for s := int64(10); s <= 34; s++ {
		bal, limit, rw := max(6000-300*(s-10), 0), "burst", ""
		if bal == 0 {
			limit = "baseline"
		}
		if s == 30 {
			rw = `,"rewrite":true`
		}
		line(s*sec, "diskCredits", fmt.Sprintf(`{"balance":%d,"credits":6000,"iops":400,"limit":%q,"limitIops":3000,"baselineIops":100,"burstIops":3000%s}`, bal, limit, rw))
	}
	line(35*sec, "diskCredits", `{"balance":0,"credits":6000,"err":"cgroup gone"}`)
	line(36*sec, "other", `{"balance":-5}`)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// A run with disk credit samples: the model holds n3's balance and when it
// ran out, summary.md says so, and report.html charts it and marks the
// moment on the other charts.
func TestCreditsChartAndSummary(t *testing.T) {
	dir := t.TempDir()
	smallRun.write(t, dir)
	appendCredits(t, dir)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Credits) != 1 {
		t.Fatalf("credits %+v; want n3's series", m.Credits)
	}
	cs := m.Credits[0]
	if cs.Node != "n3" || len(cs.Points) != 25 || cs.Lowest != 0 || len(cs.RanOut) != 1 || cs.RanOut[0] != 30*sec || len(cs.Rearmed) != 0 {
		t.Errorf("n3 series: %d points, lowest %g, ran out %v, rearmed %v", len(cs.Points), cs.Lowest, cs.RanOut, cs.Rearmed)
	}
	var md strings.Builder
	if err := WriteMarkdown(m, &md); err != nil {
		t.Fatal(err)
	}
	if want := "| n3 | 6000 | 100 / 3000 | 0 | 30.0s | — |"; !strings.Contains(md.String(), want) {
		t.Errorf("summary.md lacks %q:\n%s", want, md.String())
	}
	var page strings.Builder
	if err := WriteHTML(m, &page); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<svg class="chart credits"`, "<h2>Disk credits</h2>", "n3: credits ran out at 30.0s", "n3 disk credits ran out at 30.0s"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// Without samples nothing about credits is shown.
func TestNoCreditsNoChart(t *testing.T) {
	dir := t.TempDir()
	smallRun.write(t, dir)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var page, md strings.Builder
	WriteHTML(m, &page)
	WriteMarkdown(m, &md)
	if strings.Contains(page.String(), "Disk credits") || strings.Contains(md.String(), "Disk credits") {
		t.Error("a run without a burst disk shows disk credits")
	}
}
