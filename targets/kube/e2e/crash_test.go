package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

// crashScenario holds a ledger workload while galera-2 is cut off by its
// node agent and the zone of galera-0 is drained under a budget that
// refuses every eviction, so the drain stays half-done (cordoned, evictions
// retried) for as long as the harness lives.
func crashScenario(zone string) string {
	return scenario("kube-harness-crash", "10m", `    - name: cut
      at: 1s
      for: 5m
      select: {nodes: [galera-2]}
      partition: {shape: isolate}
    - name: drain
      at: 3s
      for: 5m
      azDrain: {zone: `+zone+`}`)
}

// binary is the faultline command built once for the suite (see AfterSuite).
var binary struct {
	sync.Mutex
	dir, path string
}

// faultlineBinary builds the faultline command of this checkout, once.
func faultlineBinary(ctx context.Context) string {
	GinkgoHelper()
	binary.Lock()
	defer binary.Unlock()
	if binary.path != "" {
		return binary.path
	}
	dir, err := os.MkdirTemp("", "faultline-e2e-bin-")
	Expect(err).NotTo(HaveOccurred())
	bin := filepath.Join(dir, "faultline")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/faultline")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		Fail(fmt.Sprintf("go build faultline: %v\n%s", err, out))
	}
	binary.dir, binary.path = dir, bin
	return bin
}

var _ = Describe("a harness SIGKILLed mid-drain and mid-partition", Ordered, func() {
	It("leaves a cordoned zone and an agent's cut behind; `faultline recover --context` heals both, audit clean", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		cs := c.Client()
		zone := zoneOf(c, "galera-0")
		Expect(zone).NotTo(BeEmpty())

		dir := GinkgoT().TempDir()
		bin := faultlineBinary(ctx)
		src := filepath.Join(dir, "kube-harness-crash.yaml")
		Expect(os.WriteFile(src, []byte(crashScenario(zone)), 0o644)).To(Succeed())
		state := filepath.Join(dir, "state")
		kubeArgs := []string{"--state-dir", state, "--kubeconfig", cluster.Kubeconfig, "--context", cluster.Context}

		// A budget of 0: every eviction of the drain is refused (429) and
		// retried, so the harness dies with the drain under way.
		setBudget(ctx, cs, 0)
		DeferCleanup(func(ctx SpecContext) { setBudget(ctx, cs, 1) })

		log, err := os.Create(filepath.Join(dir, "run.log"))
		Expect(err).NotTo(HaveOccurred())
		defer log.Close()
		run := exec.Command(bin, append([]string{"run", src, "--out", filepath.Join(dir, "runs")}, kubeArgs...)...)
		run.Stdout, run.Stderr = log, log
		Expect(run.Start()).To(Succeed())
		exited := make(chan error, 1)
		go func() { exited <- run.Wait() }()
		// Whatever happens below, nothing of this spec stays in the cluster.
		DeferCleanup(func(ctx SpecContext) {
			_ = run.Process.Kill()
			if b, err := os.ReadFile(log.Name()); err == nil {
				GinkgoWriter.Printf("harness log:\n%s\n", b)
			}
			_, _ = kube.LiftCordons(ctx, cs, "")
			_, _ = kube.HealAgents(ctx, cluster.Kubeconfig, cluster.Context, "")
		})

		// Mid-partition and mid-drain: the agent holds the cut, the zone's
		// nodes are cordoned by the run, and the drain keeps being refused.
		Eventually(func(g Gomega) {
			g.Expect(exited).NotTo(Receive(), "the harness ended before it was killed")
			left, err := c.AgentLeftovers(ctx, "")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(left).To(ContainElement(ContainSubstring("partition")))
			cordons, err := kube.CordonLeftovers(ctx, cs, "")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(cordons).NotTo(BeEmpty())
		}).WithContext(ctx).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(Succeed())
		time.Sleep(3 * time.Second) // a few refused evictions, retried
		Expect(cs.CoreV1().Pods(namespace).Get(ctx, "galera-0", metav1.GetOptions{})).
			To(HaveField("DeletionTimestamp", BeNil()), "the budget of 0 let the drain evict galera-0")

		Expect(run.Process.Signal(syscall.SIGKILL)).To(Succeed())
		Eventually(exited).WithTimeout(30 * time.Second).Should(Receive())

		// The faults outlived the harness.
		k := config()
		s := &scenarios.Scenario{Spec: scenarios.Spec{Target: scenarios.Target{Kubernetes: &scenarios.KubeTarget{
			Kubeconfig: k.Kubeconfig, Context: k.Context, Namespace: k.Namespace, StatefulSet: k.StatefulSet}}}}
		sess, err := providers.Kube{}.Open(ctx, s, targets.OpenOptions{})
		Expect(err).NotTo(HaveOccurred())
		defer sess.Close(ctx, false)
		left, err := sess.Leftovers(ctx, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(left).To(ContainElement(ContainSubstring("partition")))
		Expect(left).To(ContainElement(ContainSubstring("cordoned")))

		// Another process heals: the ledger's open records, then the
		// cluster's own marks (none left by then).
		rec := exec.CommandContext(ctx, bin, append([]string{"recover"}, kubeArgs...)...)
		out, err := rec.CombinedOutput()
		GinkgoWriter.Printf("faultline recover:\n%s\n", out)
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(MatchRegexp(`healed kube-harness-crash\S* step-\d+ \(azDrain\)`))
		Expect(string(out)).To(MatchRegexp(`healed kube-harness-crash\S* step-\d+ \(partition\)`))

		// Audit: no cordon, no frozen node, no agent rule.
		left, err = sess.Leftovers(ctx, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(left).To(BeEmpty())
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: kube.ZoneLabel + "=" + zone})
		Expect(err).NotTo(HaveOccurred())
		for _, n := range nodes.Items {
			Expect(n.Spec.Unschedulable).To(BeFalse(), n.Name)
		}
		Expect(c.WaitHealthy(ctx)).To(Succeed())

		// Run again, recover finds nothing to do.
		out, err = exec.CommandContext(ctx, bin, append([]string{"recover"}, kubeArgs...)...).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(strings.Contains(string(out), "healed ")).To(BeFalse(), string(out))
	}, SpecTimeout(10*time.Minute))
})
