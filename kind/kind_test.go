package kind

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

const (
	testCluster   = "faultline-test"
	testNamespace = "fl-galera"
	mariadbImage  = MariaDBImage
	galeraPods    = "app.kubernetes.io/name=galera"
)

// On a real kind cluster (3 zones × 1 worker): every worker is Ready and
// labelled with its zone; the Galera StatefulSet comes up with one member
// per zone in a 3-node primary component; when all three pods are deleted
// at once, the members re-form the cluster from their volumes and keep the
// data written before. The cluster stays for the next tests unless
// FAULTLINE_KIND_KEEP=0.
func TestKindGaleraCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	cl, err := Up(ctx, Config{Name: testCluster, WorkersPerZone: 1, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster %s up in %s, kubeconfig %s", cl.Name, time.Since(start).Round(time.Second), cl.Kubeconfig)
	if os.Getenv("FAULTLINE_KIND_KEEP") == "0" {
		t.Cleanup(func() {
			if err := Down(context.WithoutCancel(ctx), cl.Name); err != nil {
				t.Error(err)
			}
		})
	}
	cs, err := clientset(cl)
	if err != nil {
		t.Fatal(err)
	}
	assertZones(ctx, t, cs)

	if err := LoadImages(ctx, cl.Name, mariadbImage); err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, cl, testNamespace, "manifests/galera"); err != nil {
		t.Fatal(err)
	}
	g := galera{t: t, cl: cl, cs: cs}
	before := g.waitFormed(ctx, nil)
	marker := fmt.Sprintf("m%d", time.Now().UnixNano())
	g.sql(ctx, before[0], "CREATE DATABASE IF NOT EXISTS faultline; "+
		"CREATE TABLE IF NOT EXISTS faultline.kindtest (id INT AUTO_INCREMENT PRIMARY KEY, marker VARCHAR(40)); "+
		"INSERT INTO faultline.kindtest (marker) VALUES ('"+marker+"')")

	start = time.Now()
	err = cs.CoreV1().Pods(testNamespace).DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: galeraPods})
	if err != nil {
		t.Fatal(err)
	}
	after := g.waitFormed(ctx, before)
	t.Logf("all 3 pods deleted: cluster re-formed in %s", time.Since(start).Round(time.Second))
	for _, pod := range after {
		got := g.sql(ctx, pod, "SELECT COUNT(*) FROM faultline.kindtest WHERE marker = '"+marker+"'")
		if got != "1" {
			t.Errorf("pod %s: rows with the marker written before = %q, want 1", pod.name, got)
		}
	}
}

// assertZones checks that each of the 3 workers is Ready with its own zone.
func assertZones(ctx context.Context, t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]string{}
	for _, n := range nodes.Items {
		if !nodeReady(n) {
			t.Errorf("node %s is not Ready", n.Name)
		}
		if _, cp := n.Labels["node-role.kubernetes.io/control-plane"]; cp {
			continue
		}
		z := n.Labels[ZoneLabel]
		if z == "" || zones[z] != "" {
			t.Errorf("worker %s: zone %q missing or shared with %s", n.Name, z, zones[z])
		}
		zones[z] = n.Name
	}
	if strings.Join(sortedKeys(zones), ",") != "a,b,c" {
		t.Errorf("workers by zone = %v, want one in each of a, b, c", zones)
	}
}

// podRef is a Galera pod seen Ready: its name, uid and zone.
type podRef struct {
	name, zone string
	uid        types.UID
}
