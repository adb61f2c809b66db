package runner_test

import (
	"path/filepath"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/verify"
)

// wholeClusterKill SIGKILLs every node of a three-node Galera cluster at
// once for 10 s: no write can be acknowledged until the nodes are back.
const wholeClusterKill = `apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: galera-whole-cluster-kill
  description: Kill every Galera node at once for 10s, then restart them.
spec:
  target:
    local:
      topology: galera
      nodes: 3
  workload:
    kind: ledger
    clients: 3
    duration: 40s
  faults:
    - name: kill-all
      at: 8s
      for: 10s
      kill: {}
  verify:
    rto: 5s
`

// The cluster outage of a whole-cluster kill lasts at least as long as the
// nodes are down, so it breaches rto: 5s; a write acknowledged in the
// moment before the nodes died must not count as the service being back.
func TestIntegrationRTOWholeClusterKill(t *testing.T) {
	requireLab(t)
	res := runSource(t, "galera-whole-cluster-kill.yaml", []byte(wholeClusterKill), 3000)
	if st := verdictOf(res, verify.NameRTO); st != verify.Invalid || res.Status != verify.Invalid {
		t.Errorf("rto %s, run %s; want both invalid (report %s)", st, res.Status, res.Dir)
	}
	var result reports.Result
	readJSON(t, filepath.Join(res.Dir, history.FileResult), &result)
	got := map[string]verify.Window{}
	for _, w := range result.Windows {
		got[w.Metric] = w
	}
	rto, client := got["rto"], got["rto-client"]
	t.Logf("rto %s (%s); rto-client %s (%s)", time.Duration(rto.Value), rto.Note, time.Duration(client.Value), client.Note)
	if rto.Value < int64(10*time.Second) || rto.Status != verify.Invalid {
		t.Errorf("rto window %+v: want ≥ 10s, invalid", rto)
	}
	if client.Value < int64(10*time.Second) || client.Client == nil || client.Status != verify.Measured {
		t.Errorf("rto-client window %+v: want a client out ≥ 10s, measured", client)
	}
}
