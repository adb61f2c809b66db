package e2e

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

// commitsDB is one connection to a pod, with the table e2e.commits the
// commit timings insert into.
func commitsDB(ctx context.Context, c *kube.Cluster, pod string) *sql.DB {
	GinkgoHelper()
	node, ok := targets.NodeByName(c, pod)
	Expect(ok).To(BeTrue(), "no pod %s", pod)
	db, err := node.OpenDB("", 30*time.Second)
	Expect(err).NotTo(HaveOccurred())
	db.SetMaxOpenConns(1)
	mustExec(ctx, db, "CREATE DATABASE IF NOT EXISTS e2e")
	mustExec(ctx, db, "CREATE TABLE IF NOT EXISTS e2e.commits (id BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6))")
	return db
}

// commitTime is the median time of n autocommit INSERTs on one pod (a
// Galera commit waits for the cluster's certification round trip, so it
// carries the pod's network delay).
func commitTime(ctx context.Context, c *kube.Cluster, pod string, n int) time.Duration {
	GinkgoHelper()
	db := commitsDB(ctx, c, pod)
	defer db.Close()
	var took []time.Duration
	for range n {
		t0 := time.Now()
		mustExec(ctx, db, "INSERT INTO e2e.commits (at) VALUES (NOW(6))")
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	return took[len(took)/2]
}

// serverCommitTime is the median time of n autocommit INSERTs on one pod
// timed by the server itself: a procedure inserts them one after the
// other, each row stamped with NOW(6) as its statement starts, so the gap
// between two rows is one commit, Galera's certification round trip
// included, and none of the port-forward's own delay (tens of ms, as
// noisy, through the API server and the kubelet) is in it.
func serverCommitTime(ctx context.Context, c *kube.Cluster, pod string, n int) time.Duration {
	GinkgoHelper()
	db := commitsDB(ctx, c, pod)
	defer db.Close()
	mustExec(ctx, db, `CREATE PROCEDURE IF NOT EXISTS e2e.commit_n(n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  WHILE i < n DO
    INSERT INTO e2e.commits (at) VALUES (NOW(6));
    SET i = i + 1;
  END WHILE;
END`)
	var last int64
	Expect(db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM e2e.commits").Scan(&last)).To(Succeed())
	mustExec(ctx, db, "CALL e2e.commit_n("+strconv.Itoa(n+1)+")")
	rows, err := db.QueryContext(ctx, "SELECT CAST(UNIX_TIMESTAMP(at) * 1000000 AS SIGNED) FROM e2e.commits WHERE id > ? ORDER BY id", last)
	Expect(err).NotTo(HaveOccurred())
	defer rows.Close()
	var at []time.Time
	for rows.Next() {
		var us int64
		Expect(rows.Scan(&us)).To(Succeed())
		at = append(at, time.UnixMicro(us))
	}
	Expect(rows.Err()).NotTo(HaveOccurred())
	Expect(at).To(HaveLen(n + 1))
	var took []time.Duration
	for i := 1; i < len(at); i++ {
		took = append(took, at[i].Sub(at[i-1]))
	}
	slices.Sort(took)
	return took[len(took)/2]
}

// injectHeld injects a fault just built (recovered when the spec ends,
// whatever happens) and returns its evidence, which must show it held.
func injectHeld(ctx context.Context, f injectors.Fault, built error) injectors.Evidence {
	GinkgoHelper()
	Expect(built).NotTo(HaveOccurred())
	DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
	Expect(f.Inject(ctx)).To(Succeed())
	e, err := f.(injectors.Verifier).Verify(ctx)
	Expect(err).NotTo(HaveOccurred())
	Expect(e.Held).To(BeTrue(), e.Summary)
	return e
}

func mustExec(ctx context.Context, db *sql.DB, q string) {
	GinkgoHelper()
	_, err := db.ExecContext(ctx, q)
	Expect(err).NotTo(HaveOccurred(), q)
}

var _ = Describe("network faults inside pods through the node agents", Ordered, func() {
	It("latency on one pod: its agent measures the delay, its Galera commits slow by it, the heal restores them", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		before := serverCommitTime(ctx, c, "galera-1", 15)
		f, err := c.Latency(ctx, "e2e-agent-latency-net", []string{"galera-1"}, 80*time.Millisecond, 0, 0)
		e := injectHeld(ctx, f, err)
		during := serverCommitTime(ctx, c, "galera-1", 15)
		GinkgoWriter.Printf("%s; galera-1 commit p50 %v before, %v during (timed by the server)\n", e.Summary, before, during)
		AddReportEntry("in-pod latency 80ms", "commit p50 "+before.String()+" → "+during.String())
		// At least half the delay, the lab's own rule.
		Expect(during - before).To(BeNumerically(">=", 40*time.Millisecond))
		left, err := c.AgentLeftovers(ctx, "e2e-agent-latency-net")
		Expect(err).NotTo(HaveOccurred())
		Expect(left).NotTo(BeEmpty())
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(c.AgentLeftovers(ctx, "e2e-agent-latency-net")).To(BeEmpty())
		after := serverCommitTime(ctx, c, "galera-1", 15)
		Expect(after).To(BeNumerically("<", before+40*time.Millisecond), "commits still slow after the heal")
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(4*time.Minute))

	It("bandwidth on one pod: token buckets on its interface and its veth's node end, read back by its agent; healed", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		f, err := c.Bandwidth(ctx, "e2e-agent-bandwidth", []string{"galera-2"}, 256<<10, "both")
		e := injectHeld(ctx, f, err)
		Expect(e.Summary).To(ContainSubstring("2 of 2 token buckets"))
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(c.AgentLeftovers(ctx, "e2e-agent-bandwidth")).To(BeEmpty())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(3*time.Minute))
})

var _ = Describe("a disk throttle inside a pod through its node agent", Ordered, func() {
	It("5 write IOPS on one pod: its agent times direct writes inside the container's cgroup, its commits slow, the heal restores them", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		before := commitTime(ctx, c, "galera-0", 15)
		f, err := c.DiskThrottle(ctx, "e2e-agent-disk", []string{"galera-0"}, disk.Limits{WriteIOPS: 5})
		e := injectHeld(ctx, f, err)
		during := commitTime(ctx, c, "galera-0", 15)
		GinkgoWriter.Printf("%s; galera-0 commit p50 %v before, %v during\n", e.Summary, before, during)
		AddReportEntry("in-pod disk throttle 5 write IOPS", "commit p50 "+before.String()+" → "+during.String())
		// A commit is at least one synchronous redo write: one I/O slot of
		// 200 ms at 5 IOPS; half of it, over a baseline that is itself
		// a noisy fsync on a busy node.
		Expect(during-before).To(BeNumerically(">=", 100*time.Millisecond), "commits not slowed")
		Expect(c.AgentLeftovers(ctx, "e2e-agent-disk")).NotTo(BeEmpty())
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(c.AgentLeftovers(ctx, "e2e-agent-disk")).To(BeEmpty())
		after := commitTime(ctx, c, "galera-0", 15)
		Expect(after).To(BeNumerically("<", during-100*time.Millisecond), "commits still slow after the heal")
		Expect(c.WaitHealthy(ctx)).To(Succeed())
	}, SpecTimeout(4*time.Minute))
})

var _ = Describe("a zone outage through the node agents", Ordered, func() {
	It("the agents silence their nodes: the control plane marks them NotReady, the pod there stops answering, the others stay Primary; the agents heal by themselves at the lease's end", func(ctx SpecContext) {
		c := attach(ctx)
		defer c.Close()
		zone := zoneOf(c, "galera-2")
		Expect(zone).NotTo(BeEmpty())
		nodes, err := c.Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: kube.ZoneLabel + "=" + zone})
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, n := range nodes.Items {
			names = append(names, n.Name)
		}
		const lease = 90 * time.Second
		f, err := c.AgentZoneOutage(ctx, "e2e-agent-zone", zone, names, lease)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(f.Recover(ctx)).To(Succeed()) })
		start := time.Now()
		Expect(f.Inject(ctx)).To(Succeed())
		Eventually(func() bool {
			pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			return c.Probe(pctx, "galera-2").Reachable
		}).WithTimeout(30*time.Second).WithPolling(time.Second).Should(BeFalse(), "galera-2 still answers on a silent node")
		e, err := f.(injectors.Verifier).Verify(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Held).To(BeTrue(), e.Summary)
		GinkgoWriter.Println(e.Summary)
		AddReportEntry("zone outage through the agents: NotReady after", time.Since(start).String())
		for _, pod := range []string{"galera-0", "galera-1"} { // the survivors re-form a Primary component
			Eventually(func() string { return role(ctx, c, pod) }).WithTimeout(30*time.Second).WithPolling(time.Second).
				Should(Equal("Primary"), pod)
		}
		Expect(f.Recover(ctx)).To(Succeed())
		Expect(time.Since(start)).To(BeNumerically(">=", lease), "healed before the lease ended")
		Expect(f.(injectors.RecoveryWaiter).WaitRecovered(ctx)).To(Succeed())
		Expect(c.WaitHealthy(ctx)).To(Succeed())
		GinkgoWriter.Printf("zone %s back: nodes Ready and the cluster whole %v after the cut\n", zone, time.Since(start))
		Expect(c.AgentLeftovers(ctx, "e2e-agent-zone")).To(BeEmpty())
	}, SpecTimeout(10*time.Minute))
})
