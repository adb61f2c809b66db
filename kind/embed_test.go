package kind

import (
	"slices"
	"testing"
)

// kind up waits for the StatefulSet a deployment's manifests name, which
// is not the deployment's own name for replication.
func TestStatefulSetOfEachDeployment(t *testing.T) {
	want := map[string]string{"galera": "galera", "replication": "mariadb"}
	have := Deployments()
	for d, sts := range want {
		got, err := StatefulSetOf(d)
		if err != nil || got != sts || !slices.Contains(have, d) {
			t.Errorf("StatefulSetOf(%q) = %q, %v (deployments %v); want %q", d, got, err, have, sts)
		}
	}
	for _, d := range have {
		if _, err := StatefulSetOf(d); err != nil {
			t.Errorf("deployment %s: %v", d, err)
		}
	}
	if _, err := StatefulSetOf("nosuch"); err == nil {
		t.Error("StatefulSetOf(nosuch): no error")
	}
}
