package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

// events collects what a cluster's Watch reports.
type events struct {
	mu  sync.Mutex
	evs []history.ClusterEvent
}

func (e *events) add(ev history.ClusterEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

// reasons lists the reasons reported about object, in order.
func (e *events) reasons(object string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		if ev.Object == object {
			out = append(out, ev.Reason)
		}
	}
	return out
}

// order lists the objects that reported reason, first report each, in order.
func (e *events) order(reason string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		if ev.Reason == reason && !slices.Contains(out, ev.Object) {
			out = append(out, ev.Object)
		}
	}
	return out
}

func watch(ctx context.Context, c *kube.Cluster) *events {
	ev := &events{}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); c.Watch(wctx, ev.add) }()
	DeferCleanup(func() { cancel(); <-done })
	time.Sleep(time.Second) // the informers' initial lists are not reported
	return ev
}

// eventuallyHeld waits until the fault's Verify shows its effect.
func eventuallyHeld(ctx context.Context, v injectors.Verifier, timeout time.Duration) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		e, err := v.Verify(ctx)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(e.Held).To(BeTrue(), e.Summary)
	}).WithContext(ctx).WithTimeout(timeout).Should(Succeed())
}

// setBudget sets the suite's PodDisruptionBudget to maxUnavailable n and
// waits until the disruption controller has observed it: until then the
// eviction API judges by the status of the budget before (and lets a pod
// that is not Ready go if that status allowed it).
func setBudget(ctx context.Context, cs kubeClient, n int) {
	GinkgoHelper()
	pdbs := cs.PolicyV1().PodDisruptionBudgets(namespace)
	patch := []byte(fmt.Sprintf(`{"spec":{"maxUnavailable":%d}}`, n))
	_, err := pdbs.Patch(ctx, statefulSet, types.MergePatchType, patch, metav1.PatchOptions{})
	Expect(err).NotTo(HaveOccurred())
	Eventually(ctx, func(g Gomega) {
		b, err := pdbs.Get(ctx, statefulSet, metav1.GetOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(b.Status.ObservedGeneration).To(BeNumerically(">=", b.Generation), "budget not yet observed by the disruption controller")
	}).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
}

// zoneOf is the zone of a pod's node.
func zoneOf(c *kube.Cluster, pod string) string {
	for _, n := range c.Nodes() {
		if n.Name == pod {
			return n.Zone
		}
	}
	return ""
}

var _ = Describe("faults through the Kubernetes API", Ordered, func() {
	It("podKill replaces a pod with grace 0; the cluster re-forms and the watch saw it", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		ev := watch(ctx, c)
		f := c.PodKill([]string{"galera-1"})
		Expect(f.Inject(ctx)).To(Succeed())
		eventuallyHeld(ctx, f.(injectors.Verifier), 30*time.Second)
		Expect(f.(injectors.RecoveryWaiter).WaitRecovered(ctx)).To(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		Eventually(func() []string { return ev.reasons("pod/galera-1") }).WithTimeout(10 * time.Second).
			Should(ContainElements("Deleted", "Created", "Scheduled", "Ready"))
	}, SpecTimeout(5*time.Minute))

	It("azDrain cordons a zone and evicts its pod, which stays Pending on its zonal volume; heal uncordons and the StatefulSet is Ready", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		ev := watch(ctx, c)
		zone := zoneOf(c, "galera-2")
		Expect(zone).NotTo(BeEmpty())
		ledger, err := injectors.OpenLedger(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		f := c.AZDrain(zone, "e2e-drain")
		g := injectors.NewGuard(ledger, "e2e-drain", "step-1", []string{"galera-2"}, f)
		start := time.Now()
		Expect(g.Inject(ctx)).To(Succeed())
		AddReportEntry("azDrain API time (cordon + evictions, no budget wait)", time.Since(start).String())
		GinkgoWriter.Printf("azDrain of zone %s: cordon and evictions took %v\n", zone, time.Since(start))
		eventuallyHeld(ctx, g, time.Minute)
		// The replacement pod cannot follow: its local-path volume is bound to the drained zone.
		Eventually(func() []string { return ev.reasons("pod/galera-2") }).WithTimeout(30 * time.Second).Should(ContainElement("Pending"))
		left, err := kube.CordonLeftovers(ctx, c.Client(), "e2e-drain")
		Expect(err).NotTo(HaveOccurred())
		Expect(left).NotTo(BeEmpty())
		Expect(g.Recover(ctx)).To(Succeed())
		Expect(f.(injectors.RecoveryWaiter).WaitRecovered(ctx)).To(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		Expect(kube.CordonLeftovers(ctx, c.Client(), "e2e-drain")).To(BeEmpty())
	}, SpecTimeout(8*time.Minute))

	It("rollingRestart rolls every pod through the StatefulSet controller, highest ordinal first", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		ev := watch(ctx, c)
		f, err := c.RollingRestart()
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Inject(ctx)).To(Succeed())
		eventuallyHeld(ctx, f.(injectors.Verifier), 30*time.Second)
		Expect(f.(injectors.RecoveryWaiter).WaitRecovered(ctx)).To(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		Expect(ev.order("Created")).To(Equal([]string{"pod/galera-2", "pod/galera-1", "pod/galera-0"}))
	}, SpecTimeout(8*time.Minute))

	It("azDrain retries what the PodDisruptionBudget refuses (429) until the budget allows it", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		// every pod Ready: the eviction API lets a pod that is not Ready go
		// whenever the rest of the set is as healthy as the budget asks
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		setBudget(ctx, c.Client(), 0)
		DeferCleanup(func(ctx SpecContext) { setBudget(ctx, c.Client(), 1) })
		b, err := c.Client().PolicyV1().PodDisruptionBudgets(namespace).Get(ctx, statefulSet, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Status.DisruptionsAllowed).To(BeZero(), "a budget of maxUnavailable 0 allows no disruption")
		f := c.AZDrain(zoneOf(c, "galera-1"), "e2e-budget")
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		done := make(chan error, 1)
		go func() { done <- f.Inject(ctx) }()
		Consistently(done).WithTimeout(4 * time.Second).ShouldNot(Receive()) // refused, retried
		setBudget(ctx, c.Client(), 1)
		Eventually(done).WithTimeout(time.Minute).Should(Receive(BeNil()))
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("azDrain evidence: %s\n", e.Summary)
		m := regexp.MustCompile(`(\d+) eviction\(s\) refused`).FindStringSubmatch(e.Summary)
		Expect(m).NotTo(BeNil(), e.Summary)
		Expect(strconv.Atoi(m[1])).To(BeNumerically(">=", 1), e.Summary)
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(f.(injectors.RecoveryWaiter).WaitRecovered(ctx)).To(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(8*time.Minute))

	It("recover --context lifts a harness's cordons from the cluster alone, with no ledger", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		zone := zoneOf(c, "galera-1")
		Expect(c.AZDrain(zone, "e2e-noledger").Inject(ctx)).To(Succeed())
		// The harness and its machine are gone; another machine recovers.
		cs, err := kube.ClusterClient(cluster.Kubeconfig, cluster.Context)
		Expect(err).NotTo(HaveOccurred())
		lifted, err := kube.LiftCordons(ctx, cs, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(lifted).NotTo(BeEmpty())
		Expect(kube.CordonLeftovers(ctx, cs, "e2e-noledger")).To(BeEmpty())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(8*time.Minute))

	It("a drain left by a harness that died is lifted by recover, from the ledger alone", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		state := GinkgoT().TempDir()
		ledger, err := injectors.OpenLedger(state)
		Expect(err).NotTo(HaveOccurred())
		zone := zoneOf(c, "galera-0")
		g := injectors.NewGuard(ledger, "e2e-crash", "step-1", []string{"galera-0"}, c.AZDrain(zone, "e2e-crash")).
			On(injectors.TargetRef{Kind: providers.KindKubernetes, Name: c.Name()})
		Expect(g.Inject(ctx)).To(Succeed())
		// The harness dies here: nothing heals the fault but the ledger.
		healed, err := injectors.RecoverAll(ctx, ledger, providers.Default().Rebuilder(state), "e2e-crash")
		Expect(err).NotTo(HaveOccurred())
		Expect(healed).To(HaveLen(1))
		nodes, err := c.Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: kube.ZoneLabel + "=" + zone})
		Expect(err).NotTo(HaveOccurred())
		for _, n := range nodes.Items {
			Expect(n.Spec.Unschedulable).To(BeFalse(), n.Name)
			Expect(n.Annotations).NotTo(HaveKey(kube.CordonedBy), n.Name)
		}
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(8*time.Minute))
})

var _ = Describe("a zone outage on kind", Ordered, func() {
	It("freezes the zone's node: the control plane sees it NotReady, its pod neither runs nor goes; the heal thaws it and the cluster re-forms", func(ctx SpecContext) {
		k := config()
		s := &scenarios.Scenario{Spec: scenarios.Spec{Target: scenarios.Target{Kubernetes: &scenarios.KubeTarget{
			Kubeconfig: k.Kubeconfig, Context: k.Context, Namespace: k.Namespace, StatefulSet: k.StatefulSet}}}}
		p := providers.Kube{}
		sess, err := p.Open(ctx, s, targets.OpenOptions{})
		Expect(err).NotTo(HaveOccurred())
		defer sess.Close(ctx, false)
		c := attach(ctx)
		defer c.Close()
		ev := watch(ctx, c)
		zone := zoneOf(c, "galera-2")
		f, err := p.Faults("").Build(ctx, sess, targets.Step{Kind: kube.KindZoneOutage, Params: []byte(`{"zone":"` + zone + `"}`), RunID: "e2e-outage"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		Expect(f.Inject(ctx)).To(Succeed())
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		Eventually(ev.all).WithTimeout(2 * time.Minute).WithPolling(time.Second).
			Should(ContainElement(HaveField("Reason", "NodeNotReady")))
		left, err := sess.Leftovers(ctx, "e2e-outage")
		Expect(err).NotTo(HaveOccurred())
		Expect(left).To(ContainElement(ContainSubstring("frozen")))
		Expect(f.Recover(ctx)).To(Succeed())
		Eventually(ev.all).WithTimeout(2 * time.Minute).WithPolling(time.Second).
			Should(ContainElement(HaveField("Reason", "NodeReady")))
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		Expect(kube.FrozenNodes(ctx, c.Client())).To(BeEmpty())
	}, SpecTimeout(8*time.Minute))
})

// all is every event reported so far.
func (e *events) all() []history.ClusterEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]history.ClusterEvent(nil), e.evs...)
}
