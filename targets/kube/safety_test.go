package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// apiRecorder stands in for an API server at the process boundary: it
// serves a namespace without faultline's opt-in label and records every
// request's method and path.
type apiRecorder struct {
	mu   sync.Mutex
	reqs []string
}

func (a *apiRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.reqs = append(a.reqs, r.Method+" "+r.URL.Path)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet && r.URL.Path == "/api/v1/namespaces/db" {
		_ = json.NewEncoder(w).Encode(map[string]any{"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]any{"name": "db", "labels": map[string]string{"team": "payments"}}})
		return
	}
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(map[string]any{"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": 404})
}

// A namespace not opted in, a reserved namespace and a missing context are
// refused before any API write: the only request ever sent is the GET of
// the namespace's labels.
func TestAttachRefusesBeforeAnyWrite(t *testing.T) {
	api := &apiRecorder{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := strings.Replace(kubeconfig, "https://127.0.0.1:1", srv.URL, 1)
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Kubeconfig: kc, Context: "kind-x", Namespace: "db", StatefulSet: "galera"}, "not opted in to chaos"},
		{Config{Kubeconfig: kc, Context: "kind-x", Namespace: "kube-system", StatefulSet: "galera"}, "never a chaos target"},
		{Config{Kubeconfig: kc, Namespace: "db", StatefulSet: "galera"}, "never uses the current context silently"},
	} {
		if _, err := Attach(ctx, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("attach %+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.reqs) != 1 || api.reqs[0] != "GET /api/v1/namespaces/db" {
		t.Fatalf("requests %v, want only the GET of namespace db", api.reqs)
	}
}
