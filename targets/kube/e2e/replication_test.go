package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/kind"
	"faultline.dev/faultline/scenarios/library"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
	"faultline.dev/faultline/verify"
)

// The replication StatefulSet (kind/manifests/replication) and its namespace.
const (
	replNamespace = "fl-repl"
	replSet       = "mariadb"
)

var _ = Describe("replication", Ordered, func() {
	var c *kube.Cluster

	BeforeAll(func(ctx SpecContext) {
		recreateNamespace(ctx, replNamespace) // fresh volumes: mariadb-0 boots as the primary
		Expect(kind.Apply(ctx, cluster, replNamespace, filepath.Join(repoRoot(), "kind", "manifests", "replication"))).To(Succeed())
		// Until a pod answers, detection cannot tell the topology: name it
		// to wait (the first spec proves detection on the converged set).
		cfg := replConfig()
		cfg.Topology = "replication"
		Eventually(ctx, func(ctx context.Context) (err error) {
			c, err = kube.Attach(ctx, cfg) // fails until the StatefulSet has pods
			return err
		}).WithTimeout(time.Minute).Should(Succeed())
		DeferCleanup(c.Close)
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, NodeTimeout(10*time.Minute))

	It("converges: mariadb-0 the one writable primary, two replicas of it caught up, the mariadb-primary Service on it", func(ctx SpecContext) {
		detected, err := kube.Attach(ctx, replConfig())
		Expect(err).NotTo(HaveOccurred())
		defer detected.Close()
		Expect(detected.Topology()).To(Equal("replication"))
		probes := targets.ProbeAll(ctx, c)
		Expect(writable(probes)).To(Equal([]string{"mariadb-0"}))
		for _, p := range probes[1:] {
			Expect(p.Source).To(Equal("mariadb-0.mariadb"), p.Node)
			Expect([]string{p.IORunning, p.SQLRunning}).To(Equal([]string{"Yes", "Yes"}), p.Node)
			Expect(targets.CaughtUp(p.GTIDCurrent, probes[0].GTIDBinlog)).To(BeTrue(), p.Node)
		}
		Eventually(ctx, func(ctx context.Context) []string { return serviceEndpoints(ctx, c, "mariadb-primary") }).
			WithTimeout(30 * time.Second).Should(Equal([]string{"mariadb-0"}))
		Eventually(ctx, func(ctx context.Context) []string { return serviceEndpoints(ctx, c, "mariadb-replica") }).
			WithTimeout(30 * time.Second).Should(Equal([]string{"mariadb-1", "mariadb-2"}))
	}, SpecTimeout(2*time.Minute))

	It("fails over: the primary's pod deleted, a replica promoted under a ledger workload; valid, and the old primary rejoins as a replica of the new", func(ctx SpecContext) {
		src, err := library.Get("kube-replication-failover")
		Expect(err).NotTo(HaveOccurred())
		res := runScenario(ctx, "kube-replication-failover", string(src))
		Expect(res.Status).To(Equal(verify.Valid))

		Expect(c.WaitHealthy(ctx)).To(Succeed())
		probes := targets.ProbeAll(ctx, c)
		primary := writable(probes)
		Expect(primary).To(HaveLen(1))
		Expect(primary[0]).NotTo(Equal("mariadb-0"))
		old := probes[0]
		Expect(old.Source).To(Equal(primary[0]+".mariadb"), "mariadb-0 replicates from the new primary")
		Expect([]string{old.IORunning, old.SQLRunning}).To(Equal([]string{"Yes", "Yes"}))
		Eventually(ctx, func(ctx context.Context) []string { return serviceEndpoints(ctx, c, "mariadb-primary") }).
			WithTimeout(30 * time.Second).Should(Equal(primary))
	}, SpecTimeout(8*time.Minute))

	It("restarts whole: every pod deleted at once (as a restart of every node leaves it), the last primary takes its role back and its replicas follow it again", func(ctx SpecContext) {
		probes := targets.ProbeAll(ctx, c)
		primary := writable(probes)
		Expect(primary).To(HaveLen(1))
		Expect(clientset(ctx).CoreV1().Pods(replNamespace).DeleteCollection(ctx, metav1.DeleteOptions{},
			metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + replSet})).To(Succeed())
		Eventually(ctx, func(ctx context.Context) []string { return writable(targets.ProbeAll(ctx, c)) }).
			WithTimeout(4 * time.Minute).WithPolling(2 * time.Second).Should(Equal(primary))
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		for _, p := range targets.ProbeAll(ctx, c) {
			if p.Node == primary[0] {
				continue
			}
			Expect(p.Source).To(Equal(primary[0]+".mariadb"), p.Node)
			Expect([]string{p.IORunning, p.SQLRunning}).To(Equal([]string{"Yes", "Yes"}), p.Node)
		}
	}, SpecTimeout(6*time.Minute))
})

func replConfig() kube.Config {
	return kube.Config{Kubeconfig: cluster.Kubeconfig, Context: cluster.Context, Namespace: replNamespace, StatefulSet: replSet}
}

// writable are the pods that accept writes.
func writable(probes []targets.Probe) []string {
	var out []string
	for _, p := range probes {
		if p.Reachable && !p.ReadOnly {
			out = append(out, p.Node)
		}
	}
	return out
}

// serviceEndpoints are the pods behind a Service's ready endpoints, sorted.
func serviceEndpoints(ctx context.Context, c *kube.Cluster, service string) []string {
	list, err := c.Client().DiscoveryV1().EndpointSlices(replNamespace).List(ctx,
		metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
	Expect(err).NotTo(HaveOccurred())
	var pods []string
	for _, s := range list.Items {
		for _, e := range s.Endpoints {
			if e.TargetRef != nil && (e.Conditions.Ready == nil || *e.Conditions.Ready) {
				pods = append(pods, e.TargetRef.Name)
			}
		}
	}
	slices.Sort(pods)
	return pods
}

// recreateNamespace deletes namespace (and so its volumes) if it exists
// and waits until it is gone; kind.Apply creates it again.
func recreateNamespace(ctx context.Context, namespace string) {
	GinkgoHelper()
	cs := clientset(ctx)
	err := cs.CoreV1().Namespaces().Delete(ctx, namespace, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return
	}
	Expect(err).NotTo(HaveOccurred())
	Eventually(ctx, func(ctx context.Context) bool {
		_, err := cs.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}).WithTimeout(3 * time.Minute).WithPolling(2 * time.Second).Should(BeTrue())
}
