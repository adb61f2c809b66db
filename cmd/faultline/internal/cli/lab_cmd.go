package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
)

func newLabCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Bring a real MariaDB lab up or down on this machine (the embedded default target)",
		Long: `lab manages the embedded default target by hand: real mariadbd processes
(Debian MariaDB + Galera 4) in network namespaces on a bridge, with addresses
from 198.18.0.0/15 only, each node on its own loop-mounted disk and under
libfaketime. It is the same code a scenario with target.local uses.

Everything a lab creates carries its name, so 'lab down --all' finds
leftovers without any state. Requires root.`,
	}
	cmd.AddCommand(newLabUpCmd(), newLabStatusCmd(), newLabDownCmd(), newLabPromoteCmd())
	return cmd
}

func newLabUpCmd() *cobra.Command {
	var cfg local.Config
	var zones, opts string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create a lab and print how to connect to each node",
		Example: `  faultline lab up --topology galera --nodes 3
  faultline lab up --topology replication --nodes 3 --name rpl --zones a,b,b
  faultline lab up --topology galera --nodes 3 --set innodb_flush_log_at_trx_commit=2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if zones != "" {
				cfg.Zones = strings.Split(zones, ",")
			}
			so, err := parseKV(opts)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			cfg.ServerOptions = so
			cfg.StateDir = stateDir(cmd)
			cfg.Log = cmd.ErrOrStderr()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			start := time.Now()
			lab, err := local.Up(ctx, cfg)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "lab %s up in %.1fs (%s, %d nodes)\n%s", lab.Name(), time.Since(start).Seconds(),
				lab.Topology(), len(lab.Nodes()), lab.ConnectInfo())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Name, "name", "lab", "lab name (≤ 8 chars of a-z, 0-9, -)")
	f.StringVar(&cfg.Topology, "topology", "galera", "galera or replication")
	f.IntVar(&cfg.Nodes, "nodes", 3, "number of nodes (1-9)")
	f.StringVar(&zones, "zones", "", "zone of each node, comma-separated (default a,b,c round-robin)")
	f.StringVar(&cfg.Subnet, "subnet", "", "a /24 inside 198.18.0.0/15 (default: the first free one)")
	f.StringVar(&opts, "set", "", "server options for every node, key=value,key=value (my.cnf [mysqld] keys)")
	f.BoolVar(&cfg.Faketime, "faketime", true, "start nodes under libfaketime so clock skew can be injected")
	f.BoolVar(&cfg.DiskFaults, "disk-faults", false, "put each data directory behind a FUSE layer so diskFault can be injected")
	f.BoolVar(&cfg.SemiSync, "semi-sync", true, "semi-synchronous replication (replication topology)")
	f.DurationVar(&cfg.SemiSyncTimeout, "semi-sync-timeout", 10*time.Second, "rpl_semi_sync_master_timeout")
	return cmd
}

// parseKV parses key=value,key=value.
func parseKV(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: expected key=value", kv)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

func newLabStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status [NAME]",
		Short: "Show labs and the probed role and state of each node",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			labs, err := local.List(stateDir(cmd))
			if err != nil {
				return withCode(ExitHarness, err)
			}
			if len(labs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no labs")
				return nil
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			w := cmd.OutOrStdout()
			for _, st := range labs {
				if len(args) == 1 && st.Name != args[0] {
					continue
				}
				fmt.Fprintf(w, "lab %s (%s, subnet %s)\n", st.Name, st.Topology, st.Subnet)
				lab, err := local.Open(st.Name, stateDir(cmd))
				if err != nil {
					fmt.Fprintf(w, "  %v\n", err)
					continue
				}
				for _, p := range targets.ProbeAll(ctx, lab) {
					fmt.Fprintf(w, "  %-4s %-18s status=%s state=%s size=%d gtid=%s %s\n",
						p.Node, p.Role, p.ClusterStatus, p.LocalState, p.ClusterSize, p.GTIDBinlog, p.Err)
				}
			}
			return nil
		},
	}
}

func newLabDownCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "down [NAME]",
		Short: "Tear a lab down (idempotent); --all removes every lab's leftovers",
		Example: `  faultline lab down lab
  faultline lab down --all`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 2*time.Minute)
			defer cancel()
			if all {
				return asHarness(local.DownAll(ctx, stateDir(cmd)))
			}
			name := "lab"
			if len(args) == 1 {
				name = args[0]
			}
			return asHarness(local.Down(ctx, name, stateDir(cmd)))
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "remove every faultline lab and its leftovers")
	return cmd
}

func newLabPromoteCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "promote NODE",
		Short: "Fail over a replication lab to NODE, as an operator would",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lab, err := local.Open(name, stateDir(cmd))
			if err != nil {
				return withCode(ExitHarness, err)
			}
			return asHarness(lab.Promote(cmd.Context(), args[0]))
		},
	}
	cmd.Flags().StringVar(&name, "name", "lab", "lab name")
	return cmd
}

func asHarness(err error) error {
	if err == nil {
		return nil
	}
	return withCode(ExitHarness, err)
}
