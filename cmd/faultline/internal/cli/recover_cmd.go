package cli

import (
	"fmt"
	"time"

	"context"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets/kube"
	"faultline.dev/faultline/targets/local"
)

func newRecoverCmd() *cobra.Command {
	var runID string
	var labs bool
	cmd := &cobra.Command{
		Use:   "recover",
		Short: "Heal every fault a crashed or killed run left behind",
		Long: `recover replays the fault ledger: every fault is recorded on disk before it
is injected, with the target it was injected into, and removed only after it
was healed, so after a harness crash each open record names exactly what to
undo (nftables tables, qdiscs, iptables rules, cgroup throttles, faketime
offsets, stopped or killed processes) and where: recover reopens that target
with the provider of its kind. Recovering is idempotent: running it twice is
harmless.

With --labs it also tears down every faultline lab left on this machine,
found by name without any state.

With --context (and --kubeconfig) it also lifts, from any machine, every
cordon faultline made in that cluster (of --run, or of every run): each
carries the annotation faultline.dev/cordoned-by, so no ledger is needed;
on a kind cluster it also unfreezes node containers a zone outage left;
and it asks every node agent (the faultline-agent DaemonSet) to heal what
its on-node ledger holds (partitions, pauses, clock offsets inside pods).`,
		Example: `  faultline recover
  faultline recover --run galera-minority-partition-20260101T120000Z
  faultline recover --labs
  faultline recover --kubeconfig ~/.kube/config --context kind-faultline`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(background(cmd), 5*time.Minute)
			defer cancel()
			l, err := injectors.OpenLedger(stateDir(cmd))
			if err != nil {
				return withCode(ExitHarness, err)
			}
			healed, err := injectors.RecoverAll(ctx, l, buildProviders().Rebuilder(stateDir(cmd)), runID)
			for _, rec := range healed {
				fmt.Fprintf(cmd.OutOrStdout(), "healed %s %s (%s) on %v\n", rec.RunID, rec.ID, rec.Kind, rec.Targets)
			}
			if len(healed) == 0 && err == nil {
				fmt.Fprintln(cmd.OutOrStdout(), "no open faults in the ledger")
			}
			if kubeFlags.Context != "" {
				if kerr := liftCordons(ctx, cmd, runID); kerr != nil {
					return withCode(ExitHarness, kerr)
				}
			}
			if labs {
				if derr := local.DownAll(ctx, stateDir(cmd)); derr != nil {
					return withCode(ExitHarness, derr)
				}
				fmt.Fprintln(cmd.OutOrStdout(), "every lab torn down")
			}
			return asHarness(err)
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "recover only this run's faults (default: every run)")
	cmd.Flags().BoolVar(&labs, "labs", false, "also tear down every faultline lab on this machine")
	return cmd
}

// liftCordons uncordons the nodes faultline cordoned in the --context cluster.
func liftCordons(ctx context.Context, cmd *cobra.Command, runID string) error {
	cs, err := kube.ClusterClient(kubeFlags.Kubeconfig, kubeFlags.Context)
	if err != nil {
		return err
	}
	nodes, err := kube.LiftCordons(ctx, cs, runID)
	for _, n := range nodes {
		fmt.Fprintf(cmd.OutOrStdout(), "uncordoned node %s in %s\n", n, kubeFlags.Context)
	}
	if err == nil && len(nodes) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "no node cordoned by faultline in %s\n", kubeFlags.Context)
	}
	if err != nil {
		return err
	}
	thawed, err := kube.ThawNodes(ctx, cs)
	for _, n := range thawed {
		fmt.Fprintf(cmd.OutOrStdout(), "unfroze kind node container %s\n", n)
	}
	if err != nil {
		return err
	}
	healed, err := kube.HealAgents(ctx, kubeFlags.Kubeconfig, kubeFlags.Context, runID)
	for _, h := range healed {
		fmt.Fprintln(cmd.OutOrStdout(), h)
	}
	if err == nil && len(healed) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "no fault held by a node agent in %s\n", kubeFlags.Context)
	}
	return err
}
