// Package e2e is an example of a user's own resilience suite: Ginkgo specs
// that run built-in scenarios with fltest.Run and gate on fltest's
// matchers. Specs labelled local run on the embedded lab; specs labelled
// kind run on the kind cluster the Kubernetes suite uses (faultline-test,
// created when missing). Select with -ginkgo.label-filter=local or =kind;
// `make test` runs both.
package e2e

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"faultline.dev/faultline/fltest"
	"faultline.dev/faultline/kind"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets/kube"
)

func TestKindExamples(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "faultline example suite")
}

var _ = Describe("the embedded lab", Label("local"), func() {
	It("a Galera node killed for 15s rejoins: nothing acknowledged lost, writes back within 10s", func(ctx SpecContext) {
		res := fltest.Run(ctx, "galera-kill-rejoin", fltest.Options{Seed: 1000})
		Expect(res).To(fltest.HaveNoLostWrites())
		Expect(res).To(fltest.HaveNoSplitBrain())
		Expect(res).To(fltest.HaveRTOWithin(10 * time.Second))
		Expect(res).To(fltest.BeValid())
	}, SpecTimeout(5*time.Minute))
})

var _ = Describe("the kind cluster", Label("kind"), func() {
	It("a Galera pod deleted under load is replaced: valid, RPO 0", func(ctx SpecContext) {
		cl := galeraOnKind(ctx)
		res := fltest.Run(ctx, "kube-galera-pod-kill", fltest.Options{Seed: 7,
			Kube: scenarios.KubeOverrides{Kubeconfig: cl.Kubeconfig, Context: cl.Context}})
		Expect(res).To(fltest.BeValid())
		Expect(res).To(fltest.HaveRPOWithin(0))
	}, SpecTimeout(10*time.Minute))

	It("a Galera pod cut off inside its network namespace by the node agent: the majority keeps every write", func(ctx SpecContext) {
		cl := galeraOnKind(ctx)
		res := fltest.Run(ctx, "kube-galera-partition", fltest.Options{Seed: 7,
			Kube: scenarios.KubeOverrides{Kubeconfig: cl.Kubeconfig, Context: cl.Context}})
		Expect(res).To(fltest.HaveNoLostWrites())
		Expect(res).To(fltest.HaveNoSplitBrain())
		Expect(res).To(fltest.BeValid())
	}, SpecTimeout(10*time.Minute))

	It("a replication primary's pod deleted and a replica promoted: no acknowledged write lost (semi-sync), valid", func(ctx SpecContext) {
		cl := onKind(ctx, kube.Config{Namespace: "fl-repl", StatefulSet: "mariadb", Topology: "replication"}, "replication", false)
		res := fltest.Run(ctx, "kube-replication-failover", fltest.Options{Seed: 7,
			Kube: scenarios.KubeOverrides{Kubeconfig: cl.Kubeconfig, Context: cl.Context}})
		Expect(res).To(fltest.HaveNoLostWrites())
		Expect(res).To(fltest.HaveRPOWithin(0))
		Expect(res).To(fltest.BeValid())
	}, SpecTimeout(10*time.Minute))
})

// galeraOnKind brings up (or reuses) the suite's kind cluster with the
// project's Galera StatefulSet in fl-galera, healthy, and the node agent.
func galeraOnKind(ctx SpecContext) *kind.Cluster {
	GinkgoHelper()
	return onKind(ctx, kube.Config{Namespace: "fl-galera", StatefulSet: "galera"}, "galera", true)
}

// onKind brings up (or reuses) the suite's kind cluster with the
// project's manifests/<manifests> applied into cfg's namespace and healthy,
// and the node agent when agent is set.
func onKind(ctx SpecContext, cfg kube.Config, manifests string, agent bool) *kind.Cluster {
	GinkgoHelper()
	cl, err := kind.Up(ctx, kind.Config{Name: "faultline-test", Zones: []string{"a", "b", "c"}, WorkersPerZone: 1,
		Logf: func(f string, a ...any) { GinkgoWriter.Printf(f+"\n", a...) }})
	Expect(err).NotTo(HaveOccurred())
	Expect(kind.LoadImages(ctx, cl.Name, kind.MariaDBImage)).To(Succeed())
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..")
	Expect(kind.Apply(ctx, cl, cfg.Namespace, filepath.Join(root, "kind", "manifests", manifests))).To(Succeed())
	if agent {
		image, err := kind.AgentImageFromSource(ctx, root)
		Expect(err).NotTo(HaveOccurred())
		Expect(kind.InstallAgent(ctx, cl, image)).To(Succeed())
	}
	cfg.Kubeconfig, cfg.Context = cl.Kubeconfig, cl.Context
	var c *kube.Cluster
	Eventually(ctx, func(ctx context.Context) (err error) {
		c, err = kube.Attach(ctx, cfg) // fails until a new StatefulSet has pods
		return err
	}).WithTimeout(time.Minute).Should(Succeed())
	defer c.Close()
	Expect(c.WaitHealthy(ctx)).To(Succeed())
	return cl
}
