package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"faultline.dev/faultline/history"
)

const (
	chromiumPath    = "/usr/bin/chromium"
	consoleSentinel = "faultline-test: end of page checks"
)

// chartInfo is what the page says about one chart.
type chartInfo struct {
	Class string  `json:"class"`
	Data  int     `json:"data"`
	Width float64 `json:"width"`
}

const chartsJS = `Array.from(document.querySelectorAll('svg.chart')).map(s => ({
	class: s.getAttribute('class'),
	data: s.querySelectorAll('rect.data, polyline.data, path.data').length,
	width: s.getBoundingClientRect().width,
}))`

// TestIntegrationReportInBrowser opens rendered reports in headless
// Chromium — a complete run and a partial one: no console errors or
// exceptions, no request leaves file://, every chart renders with data
// elements, the verdict (and partial) banners show; a screenshot of each
// page is kept as an artifact.
func TestIntegrationReportInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("this test needs Chromium at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	complete := copyRun(t, testdataRun)
	must(t, RenderAll(complete))
	partial := t.TempDir()
	p := smallRun
	p.partial = true
	p.write(t, partial)
	must(t, RenderAll(partial))

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, browserOptions(t.TempDir())...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	// Start the browser on a blank tab first, so no event of the reports'
	// loads is missed.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	problems := watchPage(t, bctx)

	page := openReport(t, bctx, complete, "report-ledger-partition.png")
	if !strings.Contains(page.banner, "invalid") || page.partial {
		t.Errorf("complete run: verdict banner %q, partial banner shown: %v", page.banner, page.partial)
	}
	page = openReport(t, bctx, partial, "report-ledger-partition-partial.png")
	if !strings.Contains(page.banner, "unknown") || !page.partial {
		t.Errorf("partial run: verdict banner %q, partial banner shown: %v", page.banner, page.partial)
	}
	for _, p := range problems() {
		t.Errorf("page problem: %s", p)
	}
}

// shownReport is what a test reads off a report page.
type shownReport struct {
	banner  string
	partial bool
}

// openReport loads dir's report.html, checks its charts, saves a screenshot
// named shot in the artifacts directory and returns what the page shows.
func openReport(t *testing.T, ctx context.Context, dir, shot string) shownReport {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+filepath.Join(dir, history.FileReport)),
		chromedp.WaitReady(chromedp.CSS("svg.chart.timeline")),
	)
	if err != nil {
		t.Fatalf("open %s in chromium: %v", dir, err)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartInfo](chartsJS))
	if err != nil {
		t.Fatalf("inspect charts: %v", err)
	}
	var r shownReport
	if r.banner, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".banner"))); err != nil {
		t.Fatalf("read verdict banner: %v", err)
	}
	if r.partial, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById("partial")`)); err != nil {
		t.Fatalf("look for the partial banner: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactsDir(t), shot)
	must(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)

	if len(charts) != 3 {
		t.Fatalf("%s shows %d charts, want 3: %+v", shot, len(charts), charts)
	}
	for _, c := range charts {
		if c.Data == 0 || c.Width < 600 {
			t.Errorf("%s: chart %q: %d data elements, %.0fpx wide", shot, c.Class, c.Data, c.Width)
		}
	}
	return r
}

func browserOptions(profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	}
}

// watchPage collects console errors, uncaught exceptions, error entries of
// the browser log and any request for something other than a file:// or
// data: URL.
func watchPage(t *testing.T, ctx context.Context) func() []string {
	var mu sync.Mutex
	var problems []string
	add := func(p string) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, p)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			if u := e.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") && u != "about:blank" {
				add("network request to " + u)
			}
		}
	})
	if err != nil {
		t.Fatalf("listen to page: %v", err)
	}
	messages := chromedp.Console(ctx)
	seen := make(chan struct{})
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Text == consoleSentinel {
				close(seen)
				continue
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				add(fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
			}
		}
	}()
	// The console keeps message order: once the sentinel logged last has been
	// read, every message before it has been too.
	return func() []string {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`console.debug("`+consoleSentinel+`")`)); err != nil {
			t.Fatalf("log console sentinel: %v", err)
		}
		select {
		case <-seen:
		case <-time.After(10 * time.Second):
			t.Fatal("console messages were not delivered within 10s")
		}
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// artifactsDir is $FAULTLINE_TEST_ARTIFACTS when set, else a test temp dir.
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("FAULTLINE_TEST_ARTIFACTS"); d != "" {
		must(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}
