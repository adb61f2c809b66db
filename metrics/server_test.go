package metrics

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"faultline.dev/faultline/history"
)

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape of %s does not parse: %v", url, err)
	}
	return fams
}

// The served text parses as the Prometheus exposition format and holds
// every family with its labels.
func TestServedMetricsParse(t *testing.T) {
	m := New(Run{ID: "r-1", Scenario: "galera-x", Target: "local", Topology: "galera", Planned: 6 * time.Second})
	now := int64(0)
	m.StartClock(func() int64 { return now })
	srv, err := Listen("127.0.0.1:0", m)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background(), 0)
	m.Op(&history.Event{Type: history.Invoke, F: "add"})
	m.Op(&history.Event{Type: history.OK, F: "add", Time: ms(2)})
	m.Fault(&history.FaultEvent{ID: "step-0", Kind: "partition", Phase: history.FaultEffect}, true)
	m.Probes(ms(500), []history.ProbeEvent{primary("0-1-2"), replica("n2", "0-1-1")})
	now = sec(2.5)

	fams := scrape(t, srv.URL())
	want := map[string][]string{
		"faultline_operations_total":             {"f", "outcome"},
		"faultline_operation_duration_seconds":   {"f", "outcome"},
		"faultline_fault_active":                 {"step", "kind"},
		"faultline_fault_events_total":           {"step", "kind", "phase"},
		"faultline_node_role":                    {"node", "role"},
		"faultline_node_reachable":               {"node"},
		"faultline_node_writable":                {"node"},
		"faultline_replication_lag_seconds":      {"node"},
		"faultline_run_info":                     {"run_id", "scenario", "target", "topology"},
		"faultline_run_elapsed_seconds":          nil,
		"faultline_run_planned_duration_seconds": nil,
		"faultline_run_finished":                 nil,
	}
	for name, labels := range want {
		fam, ok := fams[name]
		if !ok || len(fam.GetMetric()) == 0 {
			t.Errorf("%s: not served", name)
			continue
		}
		for _, l := range labels {
			if label(fam.GetMetric()[0].GetLabel(), l) == "" {
				t.Errorf("%s: no label %s", name, l)
			}
		}
	}
	if len(fams) != len(want) {
		t.Errorf("served %d families, want %d (own registry, nothing else)", len(fams), len(want))
	}
	if v := fams["faultline_run_elapsed_seconds"].GetMetric()[0].GetGauge().GetValue(); v != 2.5 {
		t.Errorf("elapsed = %v, want 2.5", v)
	}
	if got := label(fams["faultline_run_info"].GetMetric()[0].GetLabel(), "run_id"); got != "r-1" {
		t.Errorf("run_id = %q", got)
	}
}

// Close waits for one scrape of the final values, and no longer; without
// one it gives up after the linger.
func TestCloseWaitsForFinalScrape(t *testing.T) {
	m := New(Run{ID: "r"})
	srv, err := Listen("127.0.0.1:0", m)
	if err != nil {
		t.Fatal(err)
	}
	scrape(t, srv.URL()) // before Finish: does not count
	m.Finish()
	go func() {
		time.Sleep(200 * time.Millisecond)
		fams := scrape(t, srv.URL())
		if v := fams["faultline_run_finished"].GetMetric()[0].GetGauge().GetValue(); v != 1 {
			t.Errorf("finished = %v in the final scrape", v)
		}
	}()
	start := time.Now()
	if err := srv.Close(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Fatalf("Close returned after %v: not on the final scrape", d)
	}

	srv, err = Listen("127.0.0.1:0", New(Run{ID: "r"}))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := srv.Close(context.Background(), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
		t.Fatalf("Close without a scrape returned after %v, want the linger", d)
	}
}

// A busy address is an error of Listen itself, naming the address.
func TestListenReportsBindFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen(ln.Addr().String(), New(Run{ID: "r"}))
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("Listen on a busy address: %v", err)
	}
}
