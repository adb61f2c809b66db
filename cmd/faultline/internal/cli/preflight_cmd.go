package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets/kube"
)

// preflightTarget attaches to a scenario's Kubernetes target and runs the
// pre-flight on it (tests replace it).
var preflightTarget = func(ctx context.Context, s *scenarios.Scenario) ([]kube.Finding, error) {
	c, err := kube.Attach(ctx, providers.KubeConfig(s))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Preflight(ctx)
}

func newPreflightCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "preflight FILE|NAME",
		Short: "Check a Kubernetes target's StatefulSet for set-ups that turn a drill into an outage",
		Long: `preflight attaches to the scenario's Kubernetes target (read-only: it changes
nothing in the cluster) and reads the StatefulSet, the PodDisruptionBudgets
selecting its pods, its governing Service, the StorageClasses of its
volumeClaimTemplates (the cluster default when they name none), the nodes and
the pods. It prints one finding a line, naming the object and the field to
change:

  - no PodDisruptionBudget selects the pods, several do, or one lets more
    members go than the quorum (a majority of the replicas) can lose;
    percentages resolve as the disruption controller does, rounding up
  - no required podAntiAffinity by kubernetes.io/hostname
  - nothing spreads the members over topology.kubernetes.io/zone, or the
    running pods sit in fewer zones than the schedulable nodes offer
  - a hard zone spread without nodeTaintsPolicy: Honor (drained nodes still
    count as domains and block rescheduling)
  - a StorageClass that binds Immediately, or allows a single zone
  - the database container has no readinessProbe
  - Galera with fewer than 3 or an even number of replicas; replication
    without a replica
  - no headless governing Service selecting the pods

'faultline run' runs the same checks after attaching and logs the findings
as warnings; 'faultline run --strict' refuses to run on any.

Exit code 0 (findings are printed, not failures), 3 when --strict and there
are findings, or when the target cannot be reached or is not Kubernetes.`,
		Example: `  faultline preflight ./galera-on-kind.yaml
  faultline preflight ./galera-on-kind.yaml --context kind-faultline -n db --strict`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if kind := s.Spec.Target.Kind(); kind != scenarios.TargetKubernetes {
				return withCode(ExitHarness, fmt.Errorf("preflight %s: the target is %s, not kubernetes: the pre-flight checks a Kubernetes StatefulSet (a local lab is built by faultline, set up for drills)", args[0], kind))
			}
			fs, err := preflightTarget(cmd.Context(), s)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			for _, f := range fs {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			if len(fs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "ok: no findings")
			}
			if strict && len(fs) > 0 {
				return withCode(ExitHarness, fmt.Errorf("preflight %s: %d finding(s), refused by --strict", args[0], len(fs)))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "exit 3 when there are findings")
	return cmd
}

// strictKube makes the Kubernetes provider of ps refuse a target with
// pre-flight findings.
func strictKube(ps providers.Set) providers.Set {
	if k, ok := ps[providers.KindKubernetes].(providers.Kube); ok {
		k.Strict = true
		ps[providers.KindKubernetes] = k
	}
	return ps
}
