package kind

import (
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// roleLabel is the pod label the replication Services select (set by
// whoever promotes; kube.RoleLabel).
const roleLabel = "faultline.dev/role"

// The replication manifests hold what the Kubernetes target relies on:
// what every database deployment shares, a primary and a replica Service
// selected by the role label (which the pod template leaves unset), GTID
// replication options, server_id from the ordinal, the credentials
// promote and the workload use.
func TestKindReplicationManifests(t *testing.T) {
	m := readManifests(t, "manifests/replication", "mariadb")
	if m.env["REPL_REPLICAS"] != "3" || m.env["REPL_SERVICE"] != "mariadb" {
		t.Errorf("env = %v", m.env)
	}
	if _, ok := m.sts.Spec.Template.Labels[roleLabel]; ok {
		t.Errorf("pod template sets %s: a restarted pod would claim a role", roleLabel)
	}
	for svc, role := range map[string]string{"mariadb-primary": "primary", "mariadb-replica": "replica"} {
		sel := m.services[svc].Spec.Selector
		if sel[roleLabel] != role || sel["app.kubernetes.io/name"] != "mariadb" || m.services[svc].Spec.ClusterIP == corev1.ClusterIPNone {
			t.Errorf("service %s selector %v, clusterIP %q", svc, sel, m.services[svc].Spec.ClusterIP)
		}
	}
	data := configData(t, m)
	for _, opt := range []string{"log_bin", "log_slave_updates = ON", "gtid_strict_mode = ON", "read_only = ON",
		"rpl_semi_sync_master_wait_point = AFTER_SYNC"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(opt)).MatchString(data["my.cnf"]) {
			t.Errorf("my.cnf lacks %q", opt)
		}
	}
	start := data["start.sh"]
	for _, want := range []string{"--server-id=$((ord + 1))", "master_use_gtid=slave_pos", "SET GLOBAL read_only=0"} {
		if !strings.Contains(start, want) {
			t.Errorf("start.sh lacks %q", want)
		}
	}
	if !strings.Contains(data["probe.sh"], "Slave_SQL_Running: Yes") {
		t.Error("readiness does not ask for the replica's SQL thread")
	}
	var secret corev1.Secret
	convert(t, m.byKind["Secret"][0], &secret)
	for _, k := range []string{"root-password", "user", "password"} {
		if secret.StringData[k] == "" {
			t.Errorf("secret %s lacks %s", secret.Name, k)
		}
	}
}

// configData is the data of the deployment's ConfigMap.
func configData(t *testing.T, m manifestSet) map[string]string {
	t.Helper()
	var cm corev1.ConfigMap
	convert(t, m.byKind["ConfigMap"][0], &cm)
	return cm.Data
}
