package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// prometheusBin is Debian's prometheus package's server (hack/install-deps.sh).
const prometheusBin = "/usr/bin/prometheus"

// promServer is a real Prometheus server started by a test on loopback,
// scraping one target every second; it is killed by pid at the test's end.
type promServer struct {
	api  string // http://127.0.0.1:PORT
	logs string
}

func startPrometheus(t *testing.T, target string) *promServer {
	t.Helper()
	bin := prometheusBin
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no Prometheus server at %s (Debian package prometheus: run hack/install-deps.sh): %v", bin, err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: faultline
    static_configs: [{targets: [%q]}]
`, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	p := &promServer{api: "http://" + addr, logs: filepath.Join(dir, "prometheus.log")}
	logf, err := os.Create(p.logs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // by its pid
		_ = cmd.Wait()
		logf.Close()
	})
	p.waitReady(t)
	p.waitFirstScrape(t)
	return p
}

// freeLoopbackAddr is a 127.0.0.1 port free at the time of asking.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (p *promServer) waitReady(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(p.api + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	b, _ := os.ReadFile(p.logs)
	t.Fatalf("Prometheus at %s not ready in 15s; its log:\n%s", p.api, b)
}

// waitFirstScrape waits until Prometheus has tried its target once (up is
// recorded, 0 while nothing listens): its discovery hands targets to the
// scrapers only some seconds after the start.
func (p *promServer) waitFirstScrape(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if vs, err := p.query(ctx, `up{job="faultline"}`, ""); err == nil && len(vs) == 1 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(p.logs)
	t.Fatalf("Prometheus at %s never scraped its target in 15s; its log:\n%s", p.api, b)
}

// query evaluates an instant PromQL query; each sample's labels are
// reduced to the one named by key ("" = one unlabelled result).
func (p *promServer) query(ctx context.Context, q, key string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.api+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("query %s: %w", q, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, body.Error)
	}
	out := map[string]float64{}
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v: %w", q, r.Value[1], err)
		}
		out[r.Metric[key]] = v
	}
	return out, nil
}
