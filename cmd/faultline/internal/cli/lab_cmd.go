package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
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
leftovers without any state. That includes one firewall rule per iptables
backend, accepting traffic that enters and leaves the lab's own bridge
(DOCKER-USER where Docker made it, else FORWARD; comment "faultline lab
NAME"), so a lab runs beside Docker's FORWARD policy DROP. Requires root.

Every subcommand takes the lab as NAME or --name (default "lab"; status
without one shows every lab).`,
	}
	cmd.AddCommand(newLabUpCmd(), newLabStatusCmd(), newLabDownCmd(), newLabPromoteCmd())
	return cmd
}

func newLabUpCmd() *cobra.Command {
	var cfg local.Config
	var zones, opts string
	cmd := &cobra.Command{
		Use:   "up [NAME]",
		Short: "Create a lab and print how to connect to each node",
		Example: `  faultline lab up --topology galera --nodes 3
  faultline lab up rpl --topology replication --nodes 3 --zones a,b,b
  faultline lab up --name rpl --topology replication   # the same name, as a flag
  faultline lab up --topology galera --nodes 3 --set innodb_flush_log_at_trx_commit=2`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, _, err := labName(cmd, args)
			if err != nil {
				return err
			}
			cfg.Name = name
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
	addNameFlag(cmd)
	f := cmd.Flags()
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
	cmd := &cobra.Command{
		Use:   "status [NAME]",
		Short: "Show labs (all, or the one named) and the probed role and state of each node",
		Example: `  faultline lab status
  faultline lab status rpl
  faultline lab status --name rpl`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, named, err := labName(cmd, args)
			if err != nil {
				return err
			}
			labs, err := local.List(stateDir(cmd))
			if err != nil {
				return withCode(ExitHarness, err)
			}
			if named {
				labs = slices.DeleteFunc(labs, func(st local.Status) bool { return st.Name != name })
				if len(labs) == 0 {
					return withCode(ExitHarness, fmt.Errorf("no lab %s under %s", name, local.StateDir(stateDir(cmd))))
				}
			}
			if len(labs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no labs")
				return nil
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			for _, st := range labs {
				printStatus(ctx, cmd.OutOrStdout(), st, stateDir(cmd))
			}
			return nil
		},
	}
	cmd.Flags().String("name", "", "show only this lab (the same as NAME)")
	return cmd
}

func printStatus(ctx context.Context, w io.Writer, st local.Status, dir string) {
	fmt.Fprintf(w, "lab %s (%s, subnet %s)\n", st.Name, st.Topology, st.Subnet)
	lab, err := local.Open(st.Name, dir)
	if err != nil {
		fmt.Fprintf(w, "  %v\n", err)
		return
	}
	for _, p := range targets.ProbeAll(ctx, lab) {
		fmt.Fprintf(w, "  %-4s %-18s status=%s state=%s size=%d gtid=%s %s\n",
			p.Node, p.Role, p.ClusterStatus, p.LocalState, p.ClusterSize, p.GTIDBinlog, p.Err)
	}
}

func newLabDownCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "down [NAME]",
		Short: "Tear a lab down (idempotent); --all removes every lab's leftovers",
		Example: `  faultline lab down             # the lab named "lab"
  faultline lab down rpl
  faultline lab down --name rpl
  faultline lab down --all`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, named, err := labName(cmd, args)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 2*time.Minute)
			defer cancel()
			if all {
				if named {
					return withCode(ExitHarness, fmt.Errorf("lab down --all removes every lab: give no name (got %q)", name))
				}
				return asHarness(local.DownAll(ctx, stateDir(cmd)))
			}
			return asHarness(local.Down(ctx, name, stateDir(cmd)))
		},
	}
	addNameFlag(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "remove every faultline lab and its leftovers")
	return cmd
}

func newLabPromoteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "promote [NAME] NODE",
		Short: "Fail over a replication lab to NODE, as an operator would",
		Example: `  faultline lab promote n2            # in the lab named "lab"
  faultline lab promote rpl n2
  faultline lab promote --name rpl n2`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, _, err := labName(cmd, args[:len(args)-1])
			if err != nil {
				return err
			}
			lab, err := local.Open(name, stateDir(cmd))
			if err != nil {
				return withCode(ExitHarness, err)
			}
			return asHarness(lab.Promote(cmd.Context(), args[len(args)-1]))
		},
	}
	addNameFlag(cmd)
	return cmd
}

// defaultLab is the lab a command acts on when none is named.
const defaultLab = "lab"

func addNameFlag(cmd *cobra.Command) {
	cmd.Flags().String("name", defaultLab, "lab name (≤ 8 chars of a-z, 0-9, -; the same as NAME)")
}

// labName is the lab a command names, as the NAME argument (positional
// holds it or nothing), --name, or both when they agree; named is false
// when neither was given (name is then --name's default).
func labName(cmd *cobra.Command, positional []string) (name string, named bool, err error) {
	flag, _ := cmd.Flags().GetString("name")
	switch {
	case len(positional) == 0:
		return flag, cmd.Flags().Changed("name"), nil
	case cmd.Flags().Changed("name") && flag != positional[0]:
		return "", false, withCode(ExitHarness, fmt.Errorf("lab name given twice: %q as an argument and --name %q; give one", positional[0], flag))
	}
	return positional[0], true, nil
}

func asHarness(err error) error {
	if err == nil {
		return nil
	}
	return withCode(ExitHarness, err)
}
