package kube

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A zone outage finds the kind node containers from the nodes' provider
// ids, and refuses a node that is not a kind node (elsewhere it needs the
// node agent) or an empty zone.
func TestZoneOutageFindsKindContainers(t *testing.T) {
	node := func(name, pid string) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{ProviderID: pid}}
	}
	f, err := newZoneOutage("b", []corev1.Node{node("w2", "kind://docker/faultline/faultline-worker2"), node("w5", "kind://docker/faultline/faultline-worker5")})
	if err != nil || !reflect.DeepEqual(f.p.Containers, []string{"faultline-worker2", "faultline-worker5"}) {
		t.Fatalf("containers %v, %v", f, err)
	}
	g, err := rebuildZoneOutage(f.Params())
	if err != nil || !reflect.DeepEqual(g.Params(), f.Params()) {
		t.Fatalf("rebuilt %s, %v", g.Params(), err)
	}
	if _, err := newZoneOutage("b", []corev1.Node{node("ip-10-0-1-5", "aws:///eu-west-1b/i-0abc")}); err == nil || !strings.Contains(err.Error(), "needs the node agent") {
		t.Fatalf("a cloud node: %v", err)
	}
	if _, err := newZoneOutage("z", nil); err == nil || !strings.Contains(err.Error(), "no node carries") {
		t.Fatalf("an empty zone: %v", err)
	}
}
