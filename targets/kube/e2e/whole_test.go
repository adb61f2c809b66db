package e2e

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/targets/kube"
)

// How long a spec's start waits for the Galera set to be whole, and how
// long a restart of every pod may take to mend it.
const (
	wholeWait = 4 * time.Minute
	resetWait = 8 * time.Minute
)

// galeraContainer is the database container of the set's pods.
const galeraContainer = "mariadb"

// Every spec starts from a whole Galera set: every spec heals what it
// did, but Galera itself can wedge. Seen once on CI: a member evicted
// seconds after its state transfer left galera-0 in its old Primary view
// with its group timers dead (it stopped answering its peers' joins), so
// galera-1 stayed non-Primary and galera-2 could never join, and every
// later spec waited out its timeout on the same broken set. A set that is
// not whole within wholeWait is described (pods, each member's own view,
// its log's last lines), restarted whole as an operator would (every pod
// deleted at once: the most advanced member bootstraps, the others join
// it) and the reset is reported with the spec; a set a restart cannot
// mend aborts the suite at once rather than time out spec after spec.
var _ = BeforeEach(func(ctx SpecContext) { startWhole(ctx) }, NodeTimeout(wholeWait+resetWait+time.Minute))

func startWhole(ctx context.Context) {
	c := attach(ctx)
	defer c.Close()
	wctx, cancel := context.WithTimeout(ctx, wholeWait)
	err := c.WaitHealthy(wctx)
	cancel()
	if err == nil || ctx.Err() != nil {
		return
	}
	before := describeSet(ctx, c)
	fmt.Fprintf(GinkgoWriter, "the Galera set is not whole after %v: %v\n%s", wholeWait, err, before)
	if derr := deleteEveryPod(ctx, c); derr != nil {
		AbortSuite(fmt.Sprintf("the Galera set is not whole (%v) and its pods could not be deleted: %v\n%s", err, derr, before))
	}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, resetWait)
	defer cancel()
	if err := c.WaitHealthy(rctx); err != nil {
		AbortSuite(fmt.Sprintf("the Galera set was not whole and a restart of every pod did not mend it: %v\nbefore the restart:\n%s\nafter it:\n%s",
			err, before, describeSet(ctx, c)))
	}
	AddReportEntry("Galera set restarted whole before this spec", ReportEntryVisibilityAlways,
		fmt.Sprintf("not whole after %v (%v); every pod deleted, whole again in %v. Before the restart:\n%s",
			wholeWait, err, time.Since(start).Round(time.Second), before))
}

// deleteEveryPod deletes the set's pods at once (grace 0), as a restart of
// every node leaves them.
func deleteEveryPod(ctx context.Context, c *kube.Cluster) error {
	pods, err := c.Pods(ctx)
	if err != nil {
		return err
	}
	grace := int64(0)
	for _, p := range pods {
		err := c.Client().CoreV1().Pods(namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &grace})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// describeSet is what someone mending the set by hand would look at: each
// pod's phase, readiness and restarts, its member's own view of the group,
// and the last lines of its log.
func describeSet(ctx context.Context, c *kube.Cluster) string {
	pods, err := c.Pods(ctx)
	if err != nil {
		return "pods not listed: " + err.Error() + "\n"
	}
	var b strings.Builder
	for _, p := range pods {
		ready, restarts := false, int32(0)
		for _, s := range p.Status.ContainerStatuses {
			if s.Name == galeraContainer {
				ready, restarts = s.Ready, s.RestartCount
			}
		}
		fmt.Fprintf(&b, "%s on %s (%s): %s, ready %v, %d restarts\n", p.Name, p.Spec.NodeName, p.Status.PodIP, p.Status.Phase, ready, restarts)
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		pr := c.Probe(pctx, p.Name)
		cancel()
		if pr.Reachable {
			fmt.Fprintf(&b, "  its view: %s, %s, size %d, conf %d\n", pr.ClusterStatus, pr.LocalState, pr.ClusterSize, pr.ConfID)
		} else {
			fmt.Fprintf(&b, "  no SQL answer: %s\n", pr.Err)
		}
		tail := int64(8)
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := c.Client().CoreV1().Pods(namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: galeraContainer, TailLines: &tail}).DoRaw(lctx)
		cancel()
		if err != nil {
			fmt.Fprintf(&b, "  log not read: %v\n", err)
			continue
		}
		for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			fmt.Fprintf(&b, "  | %s\n", line)
		}
	}
	return b.String()
}
