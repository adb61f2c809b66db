package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/kind"
	"faultline.dev/faultline/targets/kube"
)

// The two-node zone: the suite's cluster has one worker per zone (two
// cores), so two workers are put into a zone of their own for this spec
// and a StatefulSet of two idle pods, one on each, stands for the
// database; their labels are put back after it.
const (
	drainNamespace = "fl-drain2"
	drainSet       = "drain2"
	drainZone      = "drill-2"
)

const drainManifests = `apiVersion: v1
kind: Secret
metadata: {name: drain2-credentials}
stringData: {user: none, password: none}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: drain2}
spec:
  replicas: 2
  serviceName: drain2
  podManagementPolicy: Parallel
  selector:
    matchLabels: {app.kubernetes.io/name: drain2}
  template:
    metadata:
      labels: {app.kubernetes.io/name: drain2}
    spec:
      terminationGracePeriodSeconds: 0
      nodeSelector: {topology.kubernetes.io/zone: drill-2}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {app.kubernetes.io/name: drain2}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: idle
        image: ` + mariadbImg + `
        imagePullPolicy: Never
        command: [sleep, infinity]
`

var _ = Describe("azDrain of a two-node zone", Ordered, func() {
	It("cordons both nodes and evicts a pod from each in well under the 2 s goal, three times, and heals to Ready", func(ctx SpecContext) {
		cs := clientset(ctx)
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "!node-role.kubernetes.io/control-plane"})
		Expect(err).NotTo(HaveOccurred())
		Expect(len(nodes.Items)).To(BeNumerically(">=", 2))
		var workers []string
		for _, n := range nodes.Items[:2] {
			workers = append(workers, n.Name)
			was := n.Labels[kube.ZoneLabel]
			DeferCleanup(func(ctx SpecContext) { setZone(ctx, cs, n.Name, was) })
			setZone(ctx, cs, n.Name, drainZone)
		}
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "drain2.yaml"), []byte(drainManifests), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources: [drain2.yaml]\n"), 0o644)).To(Succeed())
		recreateNamespace(ctx, drainNamespace)
		DeferCleanup(func(ctx SpecContext) { // not waited for: nothing after this spec uses it
			_ = cs.CoreV1().Namespaces().Delete(ctx, drainNamespace, metav1.DeleteOptions{})
		})
		Expect(kind.Apply(ctx, cluster, drainNamespace, dir)).To(Succeed())

		var c *kube.Cluster
		Eventually(ctx, func(ctx context.Context) (err error) {
			c, err = kube.Attach(ctx, kube.Config{Kubeconfig: cluster.Kubeconfig, Context: cluster.Context,
				Namespace: drainNamespace, StatefulSet: drainSet, Topology: "galera"})
			return err
		}).WithTimeout(time.Minute).Should(Succeed())
		defer c.Close()
		waitRunningOn(ctx, c, workers)

		var took []time.Duration
		for round := range 3 {
			f := c.AZDrain(drainZone, "e2e-drain2")
			start := time.Now()
			Expect(f.Inject(ctx)).To(Succeed())
			took = append(took, time.Since(start))
			GinkgoWriter.Printf("round %d: 2-node zone drain, cordon + 2 evictions: %v\n", round+1, took[round])
			eventuallyHeld(ctx, f.(injectors.Verifier), time.Minute)
			Expect(f.Recover(ctx)).To(Succeed())
			Expect(f.(injectors.RecoveryWaiter).WaitRecovered(ctx)).To(Succeed())
			Expect(kube.CordonLeftovers(ctx, c.Client(), "e2e-drain2")).To(BeEmpty())
			waitRunningOn(ctx, c, workers)
		}
		slices.Sort(took)
		AddReportEntry("azDrain API time, 2-node zone (cordon 2 + evict 2, no budget)", took)
		Expect(took[1]).To(BeNumerically("<=", 2*time.Second), "median of %v over the 2 s goal", took)
	}, SpecTimeout(10*time.Minute))
})

// setZone sets a node's zone label ("" removes it).
func setZone(ctx context.Context, cs kubeClient, node, zone string) {
	GinkgoHelper()
	patch := `{"metadata":{"labels":{"` + kube.ZoneLabel + `":null}}}`
	if zone != "" {
		patch = `{"metadata":{"labels":{"` + kube.ZoneLabel + `":"` + zone + `"}}}`
	}
	_, err := cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	Expect(err).NotTo(HaveOccurred())
}

// waitRunningOn waits until the StatefulSet has a running pod on each node.
func waitRunningOn(ctx context.Context, c *kube.Cluster, nodes []string) {
	GinkgoHelper()
	Eventually(ctx, func(ctx context.Context) []string {
		pods, err := c.Client().CoreV1().Pods(drainNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + drainSet})
		if err != nil {
			return nil
		}
		var on []string
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				on = append(on, p.Spec.NodeName)
			}
		}
		slices.Sort(on)
		return on
	}).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(Equal(slices.Sorted(slices.Values(nodes))))
}
