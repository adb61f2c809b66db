package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/kind"
	"faultline.dev/faultline/targets/kube"
)

func newKindCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kind",
		Short: "Create and delete a local multi-zone kind cluster with a stateful cluster to test",
		Long: `kind manages a local Kubernetes cluster for faultline's Kubernetes target,
through kind's Go library and Docker: one control plane and workers labelled
topology.kubernetes.io/zone, a MariaDB StatefulSet deployed into a namespace
opted in to chaos, ready to run the kube-* built-in scenarios against.`,
	}
	cmd.AddCommand(newKindUpCmd(), newKindDownCmd())
	return cmd
}

func newKindUpCmd() *cobra.Command {
	var c kind.Config
	var deploy, image string
	var noAgent bool
	var zones string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create (or reuse) the cluster, deploy the stateful cluster and wait until all is Ready",
		Long: `up creates a kind cluster — a control plane and WORKERS-PER-ZONE workers in
each zone, every worker labelled topology.kubernetes.io/zone — or reuses a
running one of that name whose nodes match. Docker and kind use addresses in
198.19.0.0/16 only (the kind network 198.19.1.0/24, pods 198.19.128.0/18,
services 198.19.192.0/20 by default), apart from the embedded lab's
198.18.0.0/16. The node image defaults to the one kind/images/build.sh
builds without a registry (make kind-images).

It installs faultline's node agent (the faultline-agent DaemonSet in
faultline-system, its image built from this very binary: no registry),
which applies partition, pause and clockSkew inside pods. Then it loads
the MariaDB image into every node (--mariadb-image: one Docker does not
hold is left to the nodes to pull), applies the chosen
deployment (kind/manifests/DEPLOY) into the namespace -n (default
fl-DEPLOY), labelled
faultline.dev/chaos=allowed, waits until every node and the StatefulSet are
Ready and the database has converged, and prints how to run a scenario
against it. Without a Docker daemon it fails at once and creates nothing.`,
		Example: `  faultline kind up
  faultline kind up --zones a,b --workers-per-zone 1
  faultline kind up --deploy none
  faultline kind up --mariadb-image mariadb:10.11   # the official image`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Zones = splitList(zones)
			c.Logf = func(f string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), f+"\n", a...) }
			namespace := kubeFlags.Namespace
			if namespace == "" {
				namespace = "fl-" + deploy
			}
			return kindUp(cmd.Context(), cmd, c, deploy, namespace, image, noAgent)
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Name, "name", "faultline", "cluster name (context kind-NAME)")
	f.StringVar(&zones, "zones", "a,b,c", "zones, comma-separated")
	f.IntVar(&c.WorkersPerZone, "workers-per-zone", 2, "workers in each zone")
	f.StringVar(&c.NodeImage, "node-image", kind.DefaultNodeImage, "kind node image")
	f.StringVar(&c.PodSubnet, "pod-subnet", "198.19.128.0/18", "pod network (inside 198.19.0.0/16)")
	f.StringVar(&c.ServiceSubnet, "service-subnet", "198.19.192.0/20", "service network (inside 198.19.0.0/16)")
	f.StringVar(&deploy, "deploy", "galera", "stateful cluster to deploy: "+strings.Join(kind.Deployments(), ", ")+" or none")
	f.BoolVar(&noAgent, "no-agent", false, "do not install the node agent (in-pod partition, pause and clock faults need it)")
	f.StringVar(&image, "mariadb-image", kind.MariaDBImage, "the database container's image (loaded into the nodes when Docker has it, else pulled by them; e.g. mariadb:10.11, the official one)")
	return cmd
}

// installAgent builds the agent image from this very binary (no registry)
// and installs the agent DaemonSet.
func installAgent(ctx context.Context, cl *kind.Cluster) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("agent image: %w", err)
	}
	image, err := kind.AgentImage(ctx, self)
	if err != nil {
		return err
	}
	return kind.InstallAgent(ctx, cl, image)
}

func kindUp(ctx context.Context, cmd *cobra.Command, c kind.Config, deploy, namespace, image string, noAgent bool) error {
	start := time.Now()
	cl, err := kind.Up(ctx, c)
	if err != nil {
		return withCode(ExitHarness, err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "cluster %s Ready: kubeconfig %s, context %s\n", cl.Name, cl.Kubeconfig, cl.Context)
	if !noAgent {
		if err := installAgent(ctx, cl); err != nil {
			return withCode(ExitHarness, err)
		}
		fmt.Fprintf(out, "node agents Ready in namespace %s (DaemonSet %s)\n", agent.Namespace, agent.Name)
	}
	if deploy == "none" {
		return nil
	}
	if kind.HaveImage(ctx, image) {
		if err := kind.LoadImages(ctx, cl.Name, image); err != nil {
			return withCode(ExitHarness, err)
		}
	} else {
		fmt.Fprintf(cmd.ErrOrStderr(), "image %s is not in Docker's store: the nodes pull it from its registry\n", image)
	}
	tmp, err := os.MkdirTemp("", "faultline-manifests-")
	if err != nil {
		return withCode(ExitHarness, err)
	}
	defer os.RemoveAll(tmp)
	dir, err := kind.WriteManifests(tmp, deploy)
	if err != nil {
		return withCode(ExitHarness, err)
	}
	if err := kind.ApplyImage(ctx, cl, namespace, dir, image); err != nil {
		return withCode(ExitHarness, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	sts, err := kind.StatefulSetOf(deploy)
	if err != nil {
		return withCode(ExitHarness, err)
	}
	if err := kind.WaitPodsCreated(wctx, cl, namespace, sts); err != nil {
		return withCode(ExitHarness, err)
	}
	k, err := kube.Attach(wctx, kube.Config{Kubeconfig: cl.Kubeconfig, Context: cl.Context, Namespace: namespace, StatefulSet: sts})
	if err != nil {
		return withCode(ExitHarness, err)
	}
	defer k.Close()
	if err := k.WaitHealthy(wctx); err != nil {
		return withCode(ExitHarness, err)
	}
	example := "kube-galera-pod-kill"
	if k.Topology() == "replication" {
		example = "kube-replication-failover"
	}
	fmt.Fprintf(out, "statefulset %s/%s Ready: %d pods, %s converged (%s)\n\nRun a scenario against it:\n"+
		"  faultline run %s --kubeconfig %s --context %s -n %s\n",
		namespace, sts, len(k.Nodes()), k.Topology(), time.Since(start).Round(time.Second), example, cl.Kubeconfig, cl.Context, namespace)
	return nil
}

func newKindDownCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete the cluster (idempotent: no cluster is not an error)",
		Long:  "down deletes the kind cluster's node containers and its kubeconfig file; a cluster that does not exist is not an error.",
		Example: `  faultline kind down
  faultline kind down --name ci`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := kind.Down(cmd.Context(), name); err != nil {
				return withCode(ExitHarness, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cluster %s down\n", name)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "faultline", "cluster name")
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
