package kube

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// labelRole sets the role label the primary and replica Services select,
// moves it, and removes it from a pod whose role is unknown.
func TestLabelRole(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "mariadb-0", Namespace: "fl-repl",
		Labels: map[string]string{"app.kubernetes.io/name": "mariadb"}}}
	c := &Cluster{cfg: Config{Namespace: "fl-repl"}.withDefaults(), cs: fake.NewClientset(pod)}
	label := func() (string, bool) {
		p, err := c.cs.CoreV1().Pods("fl-repl").Get(t.Context(), "mariadb-0", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v, ok := p.Labels[RoleLabel]
		return v, ok
	}
	for _, role := range []string{"primary", "replica", ""} {
		if err := c.labelRole(t.Context(), "mariadb-0", role); err != nil {
			t.Fatal(err)
		}
		if v, ok := label(); v != role || ok != (role != "") {
			t.Errorf("after labelRole %q: label %q (set %v)", role, v, ok)
		}
	}
	if p, _ := c.cs.CoreV1().Pods("fl-repl").Get(t.Context(), "mariadb-0", metav1.GetOptions{}); p.Labels["app.kubernetes.io/name"] != "mariadb" {
		t.Errorf("other labels lost: %v", p.Labels)
	}
}
