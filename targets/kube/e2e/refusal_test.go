package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"faultline.dev/faultline/targets/kube"
)

// apiTap is a loopback reverse proxy in front of the suite's API server,
// holding the kubeconfig's credentials, that records every request's
// method and path: what a faultline process sent to the real cluster.
type apiTap struct {
	mu   sync.Mutex
	reqs []string
	srv  *httptest.Server
}

func newAPITap() *apiTap {
	GinkgoHelper()
	rc, _, err := config().Clients()
	Expect(err).NotTo(HaveOccurred())
	rt, err := rest.TransportFor(rc)
	Expect(err).NotTo(HaveOccurred())
	u, err := url.Parse(rc.Host)
	Expect(err).NotTo(HaveOccurred())
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = rt
	t := &apiTap{}
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		t.reqs = append(t.reqs, r.Method+" "+r.URL.Path)
		t.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	DeferCleanup(t.srv.Close)
	return t
}

// kubeconfig writes a kubeconfig whose one context, tap, goes through the
// tap; it is also the current context, which faultline must not use
// unless named.
func (t *apiTap) kubeconfig(dir string) string {
	GinkgoHelper()
	file := filepath.Join(dir, "tap.kubeconfig")
	Expect(os.WriteFile(file, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: tap
  cluster: {server: %s}
users:
- name: tap
  user: {}
contexts:
- name: tap
  context: {cluster: tap, user: tap}
current-context: tap
`, t.srv.URL)), 0o600)).To(Succeed())
	return file
}

// take returns the requests recorded since the last take.
func (t *apiTap) take() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.reqs
	t.reqs = nil
	return r
}

// refusedScenario drains a zone and partitions a pod of statefulSet in
// namespace ns; context is the spec's context line ("" for none).
func refusedScenario(ns, context string) string {
	return fmt.Sprintf(`apiVersion: faultline.dev/v1alpha1
kind: Scenario
metadata:
  name: kube-refused
spec:
  target:
    kubernetes:
%s      namespace: %s
      statefulSet: %s
  workload:
    kind: ledger
    clients: 2
    duration: 30s
  faults:
    - at: 1s
      for: 10s
      azDrain: {zone: a}
    - at: 1s
      for: 10s
      select: {random: 1}
      partition: {shape: isolate}
`, context, ns, statefulSet)
}

var _ = Describe("a scenario outside what chaos may touch", func() {
	It("is refused by faultline run with nothing written to the real cluster: an unlabelled namespace, kube-system, no context", func(ctx SpecContext) {
		cs := clientset(ctx)
		unlabelled := notOptedIn(ctx, cs)
		tap := newAPITap()
		dir := GinkgoT().TempDir()
		kc := tap.kubeconfig(dir)
		// The tap sees what goes through it: a read of the cluster works.
		through, err := kube.ClusterClient(kc, "tap")
		Expect(err).NotTo(HaveOccurred())
		_, err = through.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(tap.take()).To(ContainElement("GET /api/v1/namespaces/" + namespace))

		bin := faultlineBinary(ctx)
		for _, tc := range []struct {
			name, ns, context string
			want              []string
		}{
			{"unlabelled", unlabelled, "      context: tap\n",
				[]string{"namespace fl-not-opted-in is not opted in to chaos", "kubectl label namespace fl-not-opted-in"}},
			{"kube-system", "kube-system", "      context: tap\n",
				[]string{"kube-refused.yaml:9:18", "namespace kube-system is never a chaos target"}},
			{"no context", namespace, "",
				[]string{"no kubeconfig context", "never uses the current context silently"}},
		} {
			By(tc.name)
			src := filepath.Join(dir, "kube-refused.yaml")
			Expect(os.WriteFile(src, []byte(refusedScenario(tc.ns, tc.context)), 0o644)).To(Succeed())
			run := exec.CommandContext(ctx, bin, "run", src, "--kubeconfig", kc, "--out", filepath.Join(dir, "runs"),
				"--state-dir", filepath.Join(dir, "state"))
			out, err := run.CombinedOutput()
			GinkgoWriter.Printf("%s: %s\n", tc.name, out)
			Expect(err).To(HaveOccurred(), tc.name+": the run was not refused")
			for _, w := range tc.want {
				Expect(string(out)).To(ContainSubstring(w), tc.name)
			}
			runs, _ := os.ReadDir(filepath.Join(dir, "runs"))
			Expect(runs).To(BeEmpty(), tc.name+": a refused scenario left a run directory")
			Expect(string(out)).NotTo(ContainSubstring("verdict:"), tc.name+": a refused scenario was reported as a run")
			for _, r := range tap.take() {
				Expect(r).To(HavePrefix("GET "), tc.name+": a write reached the API server")
			}
		}
		// Nothing was cordoned on the way.
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		for _, n := range nodes.Items {
			Expect(n.Spec.Unschedulable).To(BeFalse(), n.Name)
		}
	}, SpecTimeout(5*time.Minute))
})
