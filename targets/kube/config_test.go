package kube

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A configuration without a context is refused: faultline never attaches
// to the current context silently; nor without a namespace or a way to
// find the pods.
func TestConfigRefusesWhatItCannotAttachTo(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Namespace: "db", StatefulSet: "galera"}, "no kubeconfig context"},
		{Config{Context: "kind-x", StatefulSet: "galera"}, "no namespace"},
		{Config{Context: "kind-x", Namespace: "db"}, "neither a StatefulSet nor a pod selector"},
	} {
		_, _, err := tc.cfg.withDefaults().Clients()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	c := Config{Context: "kind-x", Namespace: "db", StatefulSet: "galera"}.withDefaults()
	if c.Port != 3306 || c.CredentialsSecret != "galera-credentials" || c.Name() != "kind-x/db/galera" {
		t.Fatalf("defaults: %+v", c)
	}
}

// StatefulSet pods sort by ordinal, not by name.
func TestPodOrder(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"galera-2", "galera-10", true},
		{"galera-10", "galera-2", false},
		{"a-1", "b-0", true},
		{"x", "y", true},
	} {
		if got := podLess(tc.a, tc.b); got != tc.want {
			t.Errorf("podLess(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}

// A fault's ledger params carry everything needed to reach the cluster
// again after a crash, and rebuild into the same fault.
func TestFaultParamsRebuild(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	w := Where{Kubeconfig: kc, Context: "kind-x", Namespace: "db", StatefulSet: "galera", Selector: "app=galera"}
	f := &azDrain{p: azDrainParams{Where: w, Zone: "b", RunID: "r1"}}
	g, err := rebuildAZDrain(f.Params())
	if err != nil {
		t.Fatal(err)
	}
	if string(g.Params()) != string(f.Params()) || g.(*azDrain).mark() != "r1/b" {
		t.Fatalf("rebuilt %s, want %s", g.Params(), f.Params())
	}
	var back podKillParams
	pk := &podKill{p: podKillParams{Where: w, Pods: []string{"galera-1"}}}
	if err := json.Unmarshal(pk.Params(), &back); err != nil || back.Context != "kind-x" || back.Pods[0] != "galera-1" {
		t.Fatalf("podKill params %s: %v", pk.Params(), err)
	}
	if _, err := rebuildPodKill([]byte(`{"pods":["x"]}`)); err == nil || !strings.Contains(err.Error(), "no kubeconfig context") {
		t.Fatalf("rebuild without a context: %v", err)
	}
}

// kubeconfig names a cluster nobody serves: building clients dials nothing.
const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: x
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: x
  user: {token: t}
contexts:
- name: kind-x
  context: {cluster: x, user: x}
`
