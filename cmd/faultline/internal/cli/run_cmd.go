package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/internal/hostcaps"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/verify"
)

func newRunCmd() *cobra.Command {
	var o runner.Options
	var strict bool
	cmd := &cobra.Command{
		Use:   "run FILE|NAME",
		Short: "Run a scenario end to end and write its reports",
		Long: `run executes a scenario: brings the target up (the local lab), creates the
workload's schema, drives the workload while probing every node, injects each
fault on time and proves it took hold, heals it, waits for convergence, reads
every node's final state, runs the checkers and writes report.html,
summary.md, result.json and junit.xml into a new run directory.

A Kubernetes target is checked after attaching, as 'faultline preflight'
does: each finding is logged as a warning, and --strict refuses to run on
any (nothing is injected).

NAME is a built-in scenario (see 'faultline run --list'); 'default' is
galera-minority-partition. The seed is printed; --seed replays the same
selections and generators.

Ctrl-C heals every fault first, tears the lab down (unless --keep) and writes
a partial report. --metrics-addr serves live Prometheus metrics of the run
(operations, latencies, faults, node roles, measured replication lag) from
before the target comes up until the reports are written; a failure to bind
it is a harness failure before anything is touched. The exit code follows the verdict: 0 valid, 1 invalid,
2 unknown, 3 harness failure.`,
		Example: `  faultline run default
  faultline run replication-semisync-failover --keep
  faultline run ./my-scenario.yaml --seed 1234 --out /tmp/runs
  faultline run default --metrics-addr 127.0.0.1:9464
  faultline run ./galera-on-kind.yaml --context kind-faultline --strict`,
		Args: func(cmd *cobra.Command, args []string) error {
			if list, _ := cmd.Flags().GetBool("list"); list {
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if list, _ := cmd.Flags().GetBool("list"); list {
				return listLibrary(cmd)
			}
			s, src, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if err := scenarios.ValidateFor(s, hostcaps.Host(cmd.Context())); err != nil {
				return withCode(ExitHarness, err)
			}
			o.Scenario, o.Source, o.StateDir = s, src, stateDir(cmd)
			ps := buildProviders()
			if strict {
				ps = strictKube(ps)
			}
			o.Providers = ps
			o.Out = cmd.ErrOrStderr()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			res, err := runner.Run(ctx, o)
			if res != nil {
				printResult(cmd, res.Dir, res.Verdicts, res.Status, res.Partial)
			}
			if err != nil {
				return withCode(ExitHarness, err)
			}
			return withCode(res.ExitCode, nil)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&o.Seed, "seed", 0, "seed for selections and generators (default: the scenario's, else random; printed)")
	f.StringVar(&o.OutDir, "out", "runs", "parent directory of run directories")
	f.BoolVar(&o.Keep, "keep", false, "leave the lab up after the run (tear down with 'faultline lab down NAME')")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress output")
	f.StringVar(&o.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics of the run at http://ADDR/metrics (e.g. 127.0.0.1:9464; default off)")
	f.DurationVar(&o.MetricsLinger, "metrics-linger", runner.DefaultMetricsLinger, "after the reports, wait at most this long for one scrape of the final metrics (negative: none)")
	f.BoolVar(&strict, "strict", false, "Kubernetes targets: refuse to run when the pre-flight finds a problem")
	f.Bool("list", false, "list the built-in scenarios")
	return cmd
}

func listLibrary(cmd *cobra.Command) error {
	for _, n := range libraryNames() {
		fmt.Fprintln(cmd.OutOrStdout(), n)
	}
	return nil
}

func printResult(cmd *cobra.Command, dir string, vs []verify.Verdict, st verify.Status, partial bool) {
	w := cmd.OutOrStdout()
	for _, v := range vs {
		fmt.Fprintf(w, "  %-8s %-13s %s\n", v.Status, v.Check, v.Summary)
	}
	p := ""
	if partial {
		p = " (partial run)"
	}
	fmt.Fprintf(w, "verdict: %s%s\nreport:  %s\n", st, p, filepath.Join(dir, history.FileReport))
}

func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check RUN_DIR",
		Short: "Re-run the checkers on a run directory and re-render its reports",
		Long: `check reads only the run directory (scenario.yaml, history.jsonl, final.json),
runs the scenario's checkers again, rewrites verdicts.json and every report,
and exits with the verdict's code. Useful after upgrading faultline or to
check a run that was interrupted.`,
		Example: `  faultline check runs/galera-minority-partition-20260101T120000Z`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			vs, err := runner.Check(cmd.Context(), dir, buildProviders().Spellings()...)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			st, code, err := runner.Render(dir)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			meta, _ := reports.ReadRunMeta(dir)
			printResult(cmd, dir, vs, st, meta != nil && meta.Partial)
			return withCode(code, nil)
		},
	}
}

func newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report RUN_DIR",
		Short: "Re-render report.html, summary.md, result.json and junit.xml from a run directory",
		Long: `report renders every report from the run directory alone (it does not re-run
the checkers: see 'faultline check'). A run killed half-way still renders
from its partial history.`,
		Example: `  faultline report runs/galera-zone-loss-20260101T120000Z`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := reports.RenderAll(args[0]); err != nil {
				return withCode(ExitHarness, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), filepath.Join(args[0], history.FileReport))
			return nil
		},
	}
}

// background is a context for commands that must finish their cleanup.
func background(cmd *cobra.Command) context.Context { return context.WithoutCancel(cmd.Context()) }
