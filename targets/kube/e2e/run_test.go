package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets/kube"
	"faultline.dev/faultline/verify"
)

// scenario is a ledger workload of duration on the suite's Galera
// StatefulSet with the fault steps given.
func scenario(name, duration, steps string) string {
	return fmt.Sprintf(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: %s
spec:
  target:
    kubernetes:
      kubeconfig: %s
      context: %s
      namespace: %s
      statefulSet: %s
  workload:
    kind: ledger
    clients: 3
    duration: %s
  faults:
%s
  verify:
    rpo: 0s
`, name, cluster.Kubeconfig, cluster.Context, namespace, statefulSet, duration, steps)
}

// runScenario runs scenario src on the suite's cluster (its kubeconfig and
// context override the scenario's).
func runScenario(ctx SpecContext, name, src string) *runner.Result {
	GinkgoHelper()
	s, err := scenarios.LoadWith(name+".yaml", []byte(src), providers.Default().Spellings())
	Expect(err).NotTo(HaveOccurred())
	Expect(scenarios.ValidateSupport(s, providers.Default().Support())).To(Succeed())
	Expect(scenarios.ApplyKube(s, scenarios.KubeOverrides{Kubeconfig: cluster.Kubeconfig, Context: cluster.Context})).To(Succeed())
	res, err := runner.Run(ctx, runner.Options{Scenario: s, Source: []byte(src), Seed: 7, OutDir: GinkgoT().TempDir(),
		StateDir: GinkgoT().TempDir(), Providers: providers.Default(), Out: GinkgoWriter})
	Expect(err).NotTo(HaveOccurred())
	for _, v := range res.Verdicts {
		GinkgoWriter.Printf("%-8s %-13s %s\n", v.Status, v.Check, v.Summary)
	}
	return res
}

var _ = Describe("a whole scenario on the kind cluster", Ordered, func() {
	It("kills a Galera pod under a ledger workload: valid, no false alarm, the kill and its replacement in the history", func(ctx SpecContext) {
		res := runScenario(ctx, "kube-pod-kill", scenario("kube-pod-kill", "45s", `    - at: 10s
      select: {nodes: [galera-1]}
      podKill: {}`))
		Expect(res.Status).To(Equal(verify.Valid))
		hist, err := os.ReadFile(filepath.Join(res.Dir, history.FileHistory))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(hist)).To(ContainSubstring(`"phase":"effect"`))
		Expect(string(hist)).To(ContainSubstring(`"object":"pod/galera-1","reason":"Ready"`))
		report, err := os.ReadFile(filepath.Join(res.Dir, history.FileReport))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(report)).To(ContainSubstring("<h2>Cluster events</h2>"))
		// the workload ran throughout, not a handful of operations: the
		// rate over port-forwards swings with the machine's load (1183
		// acknowledged alone, 425 with the whole suite running beside the
		// cluster on two cores), so the bound is well under either
		Expect(strings.Count(string(hist), `"type":"ok"`)).To(BeNumerically(">", 200))
	}, SpecTimeout(6*time.Minute))

	It("drains a zone under load while another pod is down: the budget's 429s retried, the evicted pod Pending on its zonal volume, the other zones serving, rejoined after the uncordon, valid with RTO/RPO per window", func(ctx SpecContext) {
		c := attach(ctx)
		zone := zoneOf(c, "galera-2")
		c.Close()
		Expect(zone).NotTo(BeEmpty())
		// galera-0 is killed first, so the PodDisruptionBudget
		// (maxUnavailable 1) refuses galera-2's eviction until the
		// replacement is Ready: a drain started while a pod is down,
		// as happens on game days.
		res := runScenario(ctx, "kube-az-drain-load", scenario("kube-az-drain-load", "90s", `    - name: kill-galera-0
      at: 10s
      select: {nodes: [galera-0]}
      podKill: {}
    - name: drain
      at: 12s
      for: 40s
      azDrain: {zone: `+zone+`}`))
		Expect(res.Status).To(Equal(verify.Valid))
		hist, err := os.ReadFile(filepath.Join(res.Dir, history.FileHistory))
		Expect(err).NotTo(HaveOccurred())
		refused := regexp.MustCompile(`(\d+) eviction\(s\) refused by a PodDisruptionBudget \(429\) and retried`).FindStringSubmatch(string(hist))
		Expect(refused).NotTo(BeNil(), "the drain's evidence in the history")
		n, _ := strconv.Atoi(refused[1])
		Expect(n).To(BeNumerically(">=", 1), "429s observed and retried")
		events := clusterEvents(hist)
		Expect(events).To(ContainSubstring(`"object":"pod/galera-2","reason":"Pending"`))
		// the scheduler's reason: "volume node affinity conflict" before
		// Kubernetes 1.33, "didn't match PersistentVolume's node affinity" since
		Expect(events).To(ContainSubstring("node affinity"))
		report, err := os.ReadFile(filepath.Join(res.Dir, history.FileReport))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(report)).To(MatchRegexp(`<td>pod/galera-2</td><td>Pending</td><td>[^<]*</td><td>[^<]*node affinity`))
		var windows []string
		for _, v := range res.Verdicts {
			for _, w := range v.Windows {
				if w.Kind == "azDrain" && (w.Metric == "rto" || w.Metric == "rpo") {
					windows = append(windows, w.Metric)
					if w.Metric == "rto" {
						// the other two zones keep a Primary component: writes
						// resume well within the drain's 40 s
						Expect(time.Duration(w.Value)).To(BeNumerically("<", 30*time.Second), "drain rto")
					} else {
						Expect(w.Value).To(BeZero(), "drain rpo")
					}
					AddReportEntry("azDrain under load, "+w.Metric, time.Duration(w.Value).String())
				}
			}
		}
		Expect(windows).To(ContainElements("rto", "rpo"))
		AddReportEntry("azDrain under load, 429s retried", n)
		AddReportEntry("azDrain under load, acknowledged operations", strings.Count(string(hist), `"type":"ok"`))
		// healed: uncordoned, galera-2 back on its zone and the set whole
		c = attach(ctx)
		defer c.Close()
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		Expect(zoneOf(c, "galera-2")).To(Equal(zone))
		Expect(kube.CordonLeftovers(ctx, c.Client(), "")).To(BeEmpty())
	}, SpecTimeout(10*time.Minute))
})

// clusterEvents are the history's control-plane events, one per line.
func clusterEvents(hist []byte) string {
	var out []string
	for _, l := range strings.Split(string(hist), "\n") {
		if strings.Contains(l, `"type":"cluster"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
