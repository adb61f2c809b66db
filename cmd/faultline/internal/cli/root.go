// Package cli holds faultline's commands: thin cobra wrappers that parse
// flags and call the packages that do the work.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/internal/buildinfo"
)

// Exit codes of faultline.
const (
	ExitValid   = 0 // every check passed
	ExitInvalid = 1 // a check failed
	ExitUnknown = 2 // a check could not decide
	ExitHarness = 3 // the harness failed or the input was bad
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so Main exits with code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// Main runs faultline with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitValid
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "faultline:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "faultline:", err)
	return ExitHarness
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "faultline",
		Short: "Chaos scenarios for stateful clusters, verified from the clients' own history",
		Long: `faultline drives a transactional workload against a database cluster, injects
faults on a timeline (partitions, latency, clock skew, disk throttling, process
kill/pause, zone loss), proves each took hold, heals it, waits for convergence
and then verifies what the clients saw: no lost acknowledged writes, no
split-brain, RPO/RTO within targets, no isolation anomalies.

The embedded default target is a real MariaDB Galera or GTID replication
cluster in network namespaces on this machine (root required).

Exit codes: 0 valid, 1 invalid (a check failed), 2 unknown (a check could not
decide), 3 the harness failed or the input was bad.`,
		Example: `  faultline run galera-minority-partition     # a built-in scenario
  faultline run ./my-scenario.yaml --seed 42  # your own, replaying a seed
  faultline plan ./my-scenario.yaml            # what would happen, touching nothing
  faultline lab up --topology galera --nodes 3 # a lab to poke at by hand`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().String("state-dir", defaultStateDir(), "where the fault ledger and lab state live (env FAULTLINE_STATE_DIR)")
	pf := root.PersistentFlags()
	pf.StringVar(&kubeFlags.Kubeconfig, "kubeconfig", "", "Kubernetes targets: kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	pf.StringVar(&kubeFlags.Context, "context", "", "Kubernetes targets: kubeconfig context to attach to (required here or in the scenario)")
	pf.StringVarP(&kubeFlags.Namespace, "namespace", "n", "", "Kubernetes targets: namespace of the StatefulSet (overrides the scenario's)")
	root.AddCommand(
		newRunCmd(),
		newPlanCmd(),
		newValidateCmd(),
		newPreflightCmd(),
		newRecoverCmd(),
		newCheckCmd(),
		newReportCmd(),
		newLabCmd(),
		newKindCmd(),
		newAgentCmd(),
		newDoctorCmd(),
		newVersionCmd(),
	)
	return root
}

func defaultStateDir() string {
	if d := os.Getenv("FAULTLINE_STATE_DIR"); d != "" {
		return d
	}
	return "/var/lib/faultline"
}

func stateDir(cmd *cobra.Command) string {
	d, _ := cmd.Flags().GetString("state-dir")
	return d
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print faultline's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "faultline", buildinfo.Version())
			return nil
		},
	}
}
