package fltest

import (
	"context"
	"os"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/internal/hostcaps"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/scenarios/library"
)

// Options tune Run; the zero value runs the scenario as `faultline run` would.
type Options struct {
	Seed     int64  // 0 = the scenario's, else random (printed)
	OutDir   string // parent of the run directory; default a spec temp dir
	StateDir string // ledger and lab state; default a spec temp dir
	// Kube are kubectl's flags for a Kubernetes target (--kubeconfig,
	// --context, -n): set fields replace the scenario's.
	Kube scenarios.KubeOverrides
	// Providers default to every provider of this build.
	Providers providers.Set
}

// Run runs a scenario — a file or a built-in name — inside a Ginkgo spec:
// it validates it as `faultline validate` does (the spec fails with every
// mistake and file:line:col), runs it with progress on GinkgoWriter, adds
// the run directory to the spec's report, and registers a DeferCleanup
// that heals every fault the run's ledger still holds, should the spec be
// interrupted mid-fault. The result goes to the matchers.
func Run(ctx context.Context, scenario string, o Options) *runner.Result {
	ginkgo.GinkgoHelper()
	ps := o.Providers
	if ps == nil {
		ps = providers.Default()
	}
	name, src, err := library.Resolve(scenario)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	s, err := scenarios.LoadWith(name, src, ps.Spellings())
	if err == nil {
		err = scenarios.ValidateSupport(s, ps.Support())
	}
	if err == nil {
		err = scenarios.ApplyKube(s, o.Kube)
	}
	if err == nil {
		err = scenarios.ValidateFor(s, hostcaps.Host(ctx))
	}
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "scenario %s", scenario)
	state, out := o.StateDir, o.OutDir
	if state == "" {
		state = tempDir()
	}
	if out == "" {
		out = ginkgo.GinkgoT().TempDir()
	}
	ledger, err := injectors.OpenLedger(state)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	ginkgo.DeferCleanup(func(ctx context.Context) {
		_, err := injectors.RecoverAll(ctx, ledger, ps.Rebuilder(state), "")
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "recover the faults of %s", scenario)
	})
	res, err := runner.Run(ctx, runner.Options{Scenario: s, Source: src, Seed: o.Seed, OutDir: out, StateDir: state,
		Providers: ps, Ledger: ledger, Out: ginkgo.GinkgoWriter})
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "run %s", scenario)
	ginkgo.AddReportEntry("faultline run "+name, res.Dir+" — "+string(res.Status))
	return res
}

// tempDir is a state directory the lab's servers (running as mysql) can
// enter, removed when the spec ends.
func tempDir() string {
	d, err := os.MkdirTemp("", "faultline-state-")
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	gomega.Expect(os.Chmod(d, 0o755)).To(gomega.Succeed())
	ginkgo.DeferCleanup(os.RemoveAll, d)
	return d
}
