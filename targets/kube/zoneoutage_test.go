package kube

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/agent"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
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

// Off kind a zone outage goes through the agents: each gets a node outage
// leased for the step's duration and deferred past its answer; a step
// without a duration is refused (nothing could heal a silent node), and
// the record rebuilds into the agents' variant.
func TestZoneOutageThroughTheAgentsIsLeased(t *testing.T) {
	kindNode := corev1.Node{Spec: corev1.NodeSpec{ProviderID: "kind://docker/faultline/faultline-worker2"}}
	cloud := corev1.Node{Spec: corev1.NodeSpec{ProviderID: "aws:///eu-west-1b/i-0abc"}}
	if !allKind([]corev1.Node{kindNode}) || allKind([]corev1.Node{kindNode, cloud}) {
		t.Fatal("allKind misjudges kind and cloud nodes")
	}
	c := &Cluster{cfg: Config{Context: "prod", Namespace: "db"}, selector: labels.Everything()}
	if _, err := c.AgentZoneOutage(t.Context(), "r1", "b", []string{"n1"}, 0); err == nil || !strings.Contains(err.Error(), "needs the step's for") {
		t.Fatalf("no lease: %v", err)
	}
	f, err := c.AgentZoneOutage(t.Context(), "r1", "b", []string{"n1", "n2"}, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	z := f.(*agentZone)
	if len(z.p.Parts) != 2 || z.p.Parts[1].Host != "n2" {
		t.Fatalf("parts %+v", z.p.Parts)
	}
	for _, p := range z.p.Parts {
		if r := p.Request; r.Kind != agent.KindNodeOutage || r.Lease != 90*time.Second || r.Defer <= 0 {
			t.Errorf("request %+v; want a node outage leased 90s and deferred", r)
		}
	}
	g, err := rebuildZoneOutage(f.Params())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.(*agentZone); !ok || g.Kind() != KindZoneOutage {
		t.Fatalf("rebuilt %T %s; want the agents' zone outage", g, g.Kind())
	}
}
