package e2e

import (
	"context"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

var _ = Describe("attaching to a StatefulSet", func() {
	It("finds one pod per zone and probes each one's Galera role through its port-forward", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		Expect(c.Topology()).To(Equal("galera"))
		var zones []string
		for _, n := range c.Nodes() {
			zones = append(zones, n.Zone)
		}
		sort.Strings(zones)
		Expect(zones).To(Equal([]string{"a", "b", "c"}))
		for _, p := range targets.ProbeAll(ctx, c) {
			Expect(p.Err).To(BeEmpty(), p.Node)
			Expect(p.Role).To(Equal(targets.RoleGaleraSynced), p.Node)
			Expect(p.ClusterSize).To(Equal(3), p.Node)
		}
		Expect(targets.AskVersions(ctx, c.Nodes()).Galera).NotTo(BeEmpty())
	})

	It("refuses a namespace that is not opted in to chaos, and a missing context", func(ctx SpecContext) {
		cfg := config()
		cfg.Namespace = notOptedIn(ctx, clientset(ctx))
		_, err := kube.Attach(ctx, cfg)
		Expect(err).To(MatchError(ContainSubstring("not opted in to chaos")))
		cfg = config()
		cfg.Context = ""
		_, err = kube.Attach(ctx, cfg)
		Expect(err).To(MatchError(ContainSubstring("never uses the current context silently")))
	})
})

// notOptedIn is a namespace without faultline's chaos label, created if missing.
func notOptedIn(ctx context.Context, cs kubeClient) string {
	GinkgoHelper()
	const name = "fl-not-opted-in"
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		Expect(err.Error()).To(ContainSubstring("already exists"))
	}
	return name
}

// clientset is a client of the suite's cluster.
func clientset(ctx context.Context) kubeClient {
	GinkgoHelper()
	c := attach(ctx)
	DeferCleanup(c.Close)
	return c.Client()
}

var _ = Describe("pre-flight of the StatefulSet", func() {
	It("finds nothing to warn about in the project's Galera manifests, and flags a budget that would lose quorum", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		// the set whole: a pod not yet rescheduled after an earlier spec
		// leaves its zone empty, which the pre-flight rightly reports
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		fs, err := c.Preflight(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(fs).To(BeEmpty(), "%v", fs)
		setBudget(ctx, c.Client(), 2)
		DeferCleanup(func(ctx SpecContext) { setBudget(ctx, c.Client(), 1) })
		fs, err = c.Preflight(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].Object + " " + fs[0].Field).To(Equal("poddisruptionbudget/galera spec.maxUnavailable"))
	})

	It("needs a StatefulSet: a target found by a pod selector alone cannot be judged", func(ctx SpecContext) {
		cfg := config()
		cfg.StatefulSet, cfg.Selector, cfg.CredentialsSecret = "", "app.kubernetes.io/name=galera", "galera"
		c, err := kube.Attach(ctx, cfg)
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		_, err = c.Preflight(ctx)
		Expect(err).To(MatchError(ContainSubstring("needs a StatefulSet target")))
	})
})
