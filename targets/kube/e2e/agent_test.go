package e2e

import (
	"context"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/clock"
	"faultline.dev/faultline/kind"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

// installAgent installs this checkout's node agent on the suite's cluster.
func installAgent(ctx context.Context) {
	GinkgoHelper()
	image, err := kind.AgentImageFromSource(ctx, repoRoot())
	Expect(err).NotTo(HaveOccurred())
	Expect(kind.InstallAgent(ctx, cluster, image)).To(Succeed())
}

// role is a pod's Galera status as its own SQL reports it.
func role(ctx context.Context, c *kube.Cluster, pod string) string {
	return c.Probe(ctx, pod).ClusterStatus
}

// latencies is an agent fault's answer times.
type latencies interface{ InjectLatency() []time.Duration }

var _ = Describe("faults inside pods through the node agents", Ordered, func() {
	It("a partition isolates one pod: the matrix dialled from inside every pod shows the cut, the pod goes non-Primary, the heal rejoins it", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		f, err := c.Partition(ctx, "e2e-agent-part", "isolate", nil, []string{"galera-0"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		Expect(f.Inject(ctx)).To(Succeed())
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		Eventually(func() string { return role(ctx, c, "galera-0") }).WithTimeout(time.Minute).WithPolling(time.Second).
			Should(Equal("non-Primary"))
		Expect(role(ctx, c, "galera-1")).To(Equal("Primary"))
		left, err := c.AgentLeftovers(ctx, "e2e-agent-part")
		Expect(err).NotTo(HaveOccurred())
		Expect(left).NotTo(BeEmpty())
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(c.AgentLeftovers(ctx, "e2e-agent-part")).To(BeEmpty())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		e, err = f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeFalse(), "the matrix after the heal still shows the cut: "+e.Summary)
	}, SpecTimeout(6*time.Minute))

	It("pause stops one pod's mariadbd (its agent sees state T); the heal resumes it", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		f, err := c.Pause(ctx, "e2e-agent-pause", []string{"galera-2"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		Expect(f.Inject(ctx)).To(Succeed())
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		Expect(e.Summary).To(ContainSubstring(`"T"`))
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		Expect(c.Probe(pctx, "galera-2").Reachable).To(BeFalse(), "a stopped mariadbd answered SQL")
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(5*time.Minute))

	It("clockSkew moves one pod's NOW(6) by the offset and nothing else's; the heal returns it", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		f, err := c.ClockSkew(ctx, "e2e-agent-clock", []string{"galera-1"}, 90*time.Minute, 0)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		Expect(f.Inject(ctx)).To(Succeed())
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		other, _ := targets.NodeByName(c, "galera-0")
		ev, err := clock.MeasureOffset(ctx, other)
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.Measured.Abs()).To(BeNumerically("<", clock.Tolerance), "galera-0's clock moved too")
		Expect(f.Recover(ctx)).To(Succeed())
		skewed, _ := targets.NodeByName(c, "galera-1")
		Eventually(func() time.Duration {
			ev, _ := clock.MeasureOffset(ctx, skewed)
			return ev.Measured.Abs()
		}).WithTimeout(10 * time.Second).Should(BeNumerically("<", clock.Tolerance))
	}, SpecTimeout(3*time.Minute))

	It("a drift makes one pod's clock walk away at the requested rate, measured over a window", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		f, err := c.ClockSkew(ctx, "e2e-agent-drift", []string{"galera-0"}, 0, 20000)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		Expect(f.Inject(ctx)).To(Succeed())
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		Expect(e.Summary).To(ContainSubstring("drifts"))
		Expect(f.Recover(ctx)).To(Succeed())
		n, _ := targets.NodeByName(c, "galera-0")
		Eventually(func() time.Duration {
			ev, _ := clock.MeasureOffset(ctx, n)
			return ev.Measured.Abs()
		}).WithTimeout(10 * time.Second).Should(BeNumerically("<", clock.Tolerance))
	}, SpecTimeout(3*time.Minute))

	It("injects within the goal: harness call to rule in place, through the API server", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		var took []time.Duration
		for i := range 20 {
			f, err := c.Pause(ctx, "e2e-agent-latency", []string{"galera-0"})
			Expect(err).NotTo(HaveOccurred())
			Expect(f.Inject(ctx)).To(Succeed(), "round %d", i)
			took = append(took, f.(latencies).InjectLatency()...)
			Expect(f.Recover(ctx)).To(Succeed())
		}
		slices.Sort(took)
		p50, p95 := took[len(took)/2], took[len(took)*95/100]
		AddReportEntry("agent inject latency", p50.String()+" p50, "+p95.String()+" p95 over 20 pauses")
		GinkgoWriter.Printf("agent inject latency: p50 %v, p95 %v, max %v (n=%d)\n", p50, p95, took[len(took)-1], len(took))
		Expect(p50).To(BeNumerically("<=", 100*time.Millisecond))
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(3*time.Minute))

	It("a harness that died mid-partition: recover from the cluster alone heals every agent rule", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		state := GinkgoT().TempDir()
		ledger, err := injectors.OpenLedger(state)
		Expect(err).NotTo(HaveOccurred())
		f, err := c.Partition(ctx, "e2e-agent-crash", "isolate", nil, []string{"galera-1"})
		Expect(err).NotTo(HaveOccurred())
		g := injectors.NewGuard(ledger, "e2e-agent-crash", "step-1", []string{"galera-1"}, f).
			On(injectors.TargetRef{Kind: providers.KindKubernetes, Name: c.Name()})
		Expect(g.Inject(ctx)).To(Succeed())
		// The harness and its ledger are gone: another machine recovers.
		healed, err := kube.HealAgents(ctx, cluster.Kubeconfig, cluster.Context, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(healed).NotTo(BeEmpty())
		Expect(c.AgentLeftovers(ctx, "")).To(BeEmpty())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		// The local ledger's record heals too (nothing left to do): idempotent.
		_, err = injectors.RecoverAll(ctx, ledger, providers.Default().Rebuilder(state), "e2e-agent-crash")
		Expect(err).NotTo(HaveOccurred())
	}, SpecTimeout(5*time.Minute))

	It("an agent that restarts heals what it applied, from its on-node ledger", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		// one-way: only galera-2's own namespace holds routes, so only its
		// node's agent has something to heal.
		f, err := c.Partition(ctx, "e2e-agent-restart", "one-way", nil, []string{"galera-2"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		Expect(f.Inject(ctx)).To(Succeed())
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		pods, err := c.Pods(ctx)
		Expect(err).NotTo(HaveOccurred())
		var host string
		for _, p := range pods {
			if p.Name == "galera-2" {
				host = p.Spec.NodeName
			}
		}
		agents, err := c.Client().CoreV1().Pods(agent.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + host})
		Expect(err).NotTo(HaveOccurred())
		Expect(agents.Items).To(HaveLen(1))
		old := agents.Items[0].Name
		Expect(c.Client().CoreV1().Pods(agent.Namespace).Delete(ctx, old, metav1.DeleteOptions{})).To(Succeed())
		// The DaemonSet's new agent on that node heals at start: its ledger
		// is empty, and the cluster re-forms.
		ag := c.Agents()
		Eventually(func(g Gomega) {
			list, err := c.Client().CoreV1().Pods(agent.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + host})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(list.Items).To(HaveLen(1))
			g.Expect(list.Items[0].Name).NotTo(Equal(old))
			ag.Forget(host) // the agent pod On found before was replaced
			client, err := ag.On(ctx, host)
			g.Expect(err).NotTo(HaveOccurred())
			recs, err := client.List(ctx)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(recs).To(BeEmpty())
		}).WithContext(ctx).WithTimeout(2 * time.Minute).WithPolling(2 * time.Second).Should(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		e, err = f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeFalse(), "the cut outlived the agent's restart: "+e.Summary)
	}, SpecTimeout(5*time.Minute))
})
