package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/internal/hostcaps"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/scenarios/library"
)

// kubeFlags are kubectl's --kubeconfig, --context and -n, for scenarios
// with a Kubernetes target (root's persistent flags).
var kubeFlags scenarios.KubeOverrides

// buildProviders are the target providers of this build (tests replace it).
var buildProviders = providers.Default

// loadScenario reads a scenario file or a built-in scenario by name.
func loadScenario(arg string) (*scenarios.Scenario, []byte, error) {
	name, data, err := library.Resolve(arg)
	if err != nil {
		return nil, nil, withCode(ExitHarness, err)
	}
	ps := buildProviders()
	s, err := scenarios.LoadWith(name, data, ps.Spellings())
	if err == nil {
		err = scenarios.ValidateSupport(s, ps.Support())
	}
	if err == nil {
		err = scenarios.ApplyKube(s, kubeFlags)
	}
	if err != nil {
		return nil, nil, withCode(ExitHarness, err)
	}
	return s, data, nil
}

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE|NAME...",
		Short: "Check scenario files strictly, reporting every mistake with file:line:col",
		Long: `validate loads each scenario strictly — unknown fields, wrong types, bad
durations or sizes, faults the target cannot do, selectors naming nodes or
zones that do not exist, overlapping steps that conflict on one node — and
prints every error of every file at once. It touches nothing.

Exit code 0 when every file is valid, 3 otherwise.`,
		Example: `  faultline validate scenarios/library/*.yaml
  faultline validate galera-minority-partition`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, a := range args {
				if _, _, err := loadScenario(a); err != nil {
					bad++
					fmt.Fprintln(cmd.ErrOrStderr(), errorsUnwrapped(err))
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", a)
			}
			if bad > 0 {
				return withCode(ExitHarness, fmt.Errorf("%d of %d scenario(s) invalid", bad, len(args)))
			}
			return nil
		},
	}
}

// errorsUnwrapped strips the exit code wrapper for printing.
func errorsUnwrapped(err error) error {
	if ee, ok := err.(*exitError); ok && ee.err != nil {
		return ee.err
	}
	return err
}

// hostCapabilities probes what this host can inject (tests replace it).
var hostCapabilities = hostcaps.Host

func newPlanCmd() *cobra.Command {
	var output string
	var seed int64
	var host bool
	cmd := &cobra.Command{
		Use:   "plan FILE|NAME",
		Short: "Print the resolved fault timeline of a scenario, touching nothing",
		Long: `plan validates a scenario and resolves its timeline into concrete steps:
when each fault fires and is healed, its parameters, and how its targets will
be selected when it fires (role and random selectors are resolved from live
probes during the run). It starts no lab and leaves nothing behind.

For a local target whose steps depend on the host (latency, clockSkew,
diskThrottle, diskFault) plan asks the host what it can do, as doctor does,
and marks each step: ok, DEGRADED (carried out another way, e.g. latency
through NFQUEUE where the kernel has no netem) or UNAVAILABLE (faultline run
refuses the scenario here), with the reason after the table and in the
"host" field of -o json. The probe uses a scratch network namespace that it
deletes at once; --host=false skips it.`,
		Example: `  faultline plan galera-minority-partition
  faultline plan ./my-scenario.yaml -o json --seed 7
  faultline plan galera-clock-skew --host=false`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			p := scenarios.NewPlan(s, pickSeed(s, seed))
			if host && p.NeedsHost() {
				p.MarkHost(hostCapabilities(cmd.Context()))
			}
			switch output {
			case "table":
				return p.WriteTable(cmd.OutOrStdout())
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			}
			return withCode(ExitHarness, fmt.Errorf("-o %q: expected table or json", output))
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.Flags().Int64Var(&seed, "seed", 0, "seed for random selections (default: the scenario's, else fixed at 1 for plan)")
	cmd.Flags().BoolVar(&host, "host", true, "mark the steps this host degrades or cannot run (probes the host as doctor does)")
	return cmd
}

// pickSeed prefers the flag, then the scenario's seed, then 1 (plan only).
func pickSeed(s *scenarios.Scenario, flag int64) int64 {
	if flag != 0 {
		return flag
	}
	if s.Spec.Seed != 0 {
		return s.Spec.Seed
	}
	return 1
}
