package runner_test

import (
	"testing"

	"faultline.dev/faultline/verify"
)

// Positive controls: a correctly configured Galera cluster under a minority
// partition and under a node kill must be reported valid, every time.
func TestIntegrationControlGaleraPartitionValid(t *testing.T) {
	positive(t, "galera-minority-partition")
}

func TestIntegrationControlGaleraKillValid(t *testing.T) {
	positive(t, "galera-kill-rejoin")
}

func positive(t *testing.T, name string) {
	n, ok := runs(t), 0
	for i := 0; i < n; i++ {
		res := runLibrary(t, name, int64(1000+i))
		if res.Status == verify.Valid {
			ok++
		} else {
			t.Errorf("run %d of %s: %s (false alarm); report %s", i+1, name, res.Status, res.Dir)
		}
	}
	t.Logf("positive control %s: valid in %d of %d runs", name, ok, n)
}

// Negative control: GTID semi-sync replication with a short semi-sync
// timeout; the primary is cut from its replicas while clients still reach
// it, a replica is promoted, then everything heals. Acknowledged writes exist
// only on the old primary: lost writes, split-brain and an RPO breach must be
// reported every time.
func TestIntegrationControlSemisyncFailoverInvalid(t *testing.T) {
	negative(t, "replication-semisync-failover", verify.NameLostWrites, verify.NameSplitBrain, verify.NameRPO)
}

func negative(t *testing.T, name string, checks ...string) {
	n, caught := runs(t), 0
	for i := 0; i < n; i++ {
		res := runLibrary(t, name, int64(2000+i))
		miss := false
		for _, c := range checks {
			if st := verdictOf(res, c); st != verify.Invalid {
				miss = true
				t.Errorf("run %d of %s: check %s is %q, want invalid; report %s", i+1, name, c, st, res.Dir)
			}
		}
		if res.Status != verify.Invalid || res.ExitCode != 1 {
			miss = true
			t.Errorf("run %d of %s: verdict %s exit %d, want invalid exit 1", i+1, name, res.Status, res.ExitCode)
		}
		if !miss {
			caught++
		}
	}
	t.Logf("negative control %s: caught in %d of %d runs", name, caught, n)
}

// Negative control of our own: Galera misconfigured with
// pc.ignore_quorum=true keeps the isolated minority Primary and writable, so
// both sides acknowledge writes that cannot both survive the heal.
func TestIntegrationControlGaleraIgnoreQuorumInvalid(t *testing.T) {
	negative(t, "galera-ignore-quorum", verify.NameLostWrites, verify.NameSplitBrain)
}
