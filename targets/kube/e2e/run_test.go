package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/verify"
)

// scenario is a ledger workload on the suite's Galera StatefulSet with one
// fault step.
func scenario(name, step string) string {
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
    duration: 45s
  faults:
%s
  verify:
    rpo: 0s
`, name, cluster.Kubeconfig, cluster.Context, namespace, statefulSet, step)
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
		res := runScenario(ctx, "kube-pod-kill", scenario("kube-pod-kill", `    - at: 10s
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
})
