// Package e2e proves the Kubernetes target on a real kind cluster built on
// this machine from locally built images (kind/images/build.sh): attach,
// port-forwarded SQL, pod and node events, podKill, azDrain with
// PodDisruptionBudgets, crash-safe recovery and whole scenario runs. One
// cluster serves the whole suite; it is kept for the next run unless
// FAULTLINE_KIND_KEEP=0.
package e2e

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"faultline.dev/faultline/kind"
	"faultline.dev/faultline/targets/kube"
)

// The suite's cluster and the Galera StatefulSet deployed into it.
const (
	clusterName = "faultline-test"
	namespace   = "fl-galera"
	statefulSet = "galera"
	mariadbImg  = kind.MariaDBImage
)

var cluster *kind.Cluster

func TestKindSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	suite, reporter := GinkgoConfiguration()
	// The suite takes about 14 minutes here; 40 leaves room for retries
	// and still ends within a CI run's budget, with a report of what ran.
	if suite.Timeout == time.Hour { // Ginkgo's default: not set by -ginkgo.timeout
		suite.Timeout = 40 * time.Minute
	}
	// A spec the real cluster fails for a reason of its own (a Galera
	// member that wedged, see whole_test.go) is run once more from a
	// whole set; Ginkgo reports such a spec as [FLAKEY TEST] with the
	// first attempt's failure, so a flake is seen, never hidden.
	if suite.FlakeAttempts == 0 {
		suite.FlakeAttempts = 2
	}
	// A spec still running after 5 minutes prints where it is, every 2.
	if suite.PollProgressAfter == 0 {
		suite.PollProgressAfter, suite.PollProgressInterval = 5*time.Minute, 2*time.Minute
	}
	reporter.NoColor = true // read in CI logs, not on a terminal
	RunSpecs(t, "Kubernetes target on a kind cluster", suite, reporter)
}

// repoRoot is the checkout this test file lives in.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	cluster, err = kind.Up(ctx, kind.Config{Name: clusterName, Zones: []string{"a", "b", "c"}, WorkersPerZone: 1,
		Logf: func(f string, a ...any) { GinkgoWriter.Printf(f+"\n", a...) }})
	Expect(err).NotTo(HaveOccurred())
	Expect(kind.LoadImages(ctx, clusterName, mariadbImg)).To(Succeed())
	Expect(kind.Apply(ctx, cluster, namespace, filepath.Join(repoRoot(), "kind", "manifests", "galera"))).To(Succeed())
	installAgent(ctx)
	startWhole(ctx)
}, NodeTimeout(20*time.Minute))

var _ = AfterSuite(func(ctx SpecContext) {
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	if os.Getenv("FAULTLINE_KIND_KEEP") == "0" {
		Expect(kind.Down(ctx, clusterName)).To(Succeed())
	}
}, NodeTimeout(3*time.Minute))

// config is how a scenario names the suite's StatefulSet.
func config() kube.Config {
	return kube.Config{Kubeconfig: cluster.Kubeconfig, Context: cluster.Context, Namespace: namespace, StatefulSet: statefulSet}
}

func attach(ctx context.Context) *kube.Cluster {
	GinkgoHelper()
	c, err := kube.Attach(ctx, config())
	Expect(err).NotTo(HaveOccurred())
	return c
}
