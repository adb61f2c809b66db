package cli

import (
	"log"
	"net"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/agent"
)

func newAgentCmd() *cobra.Command {
	var o agent.Options
	listen := net.JoinHostPort("127.0.0.1", strconv.Itoa(agent.Port))
	var check bool
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run the node agent (inside the faultline-agent DaemonSet)",
		Long: `agent runs on every Kubernetes node as the faultline-agent DaemonSet
(kind/manifests/agent) and applies faults inside target pods' namespaces with
the same code as on the embedded lab: blackhole routes in a pod's network
namespace (partition), NFQUEUE delays and token buckets there (latency,
bandwidth), SIGSTOP of its mariadbd (pause), a libfaketime offset in the
pod's clock file (clockSkew), block I/O limits in the container's own cgroup
on the disk of its data directory (diskThrottle, through the node's cgroup
filesystem at --cgroup-root, a hostPath). It finds a pod's processes through the
host's PID namespace (hostPID) by the container id in their cgroups.

It listens on loopback inside its own pod only: the harness reaches it
through the API server's port-forward, so who may drive it is an RBAC
decision (pods/portforward in the agent's namespace). Every fault is written
to its on-node ledger (--agent-state-dir, a hostPath) before it is applied; when
the agent starts it heals whatever an earlier agent process left there.`,
		Example: `  faultline agent                      # as the DaemonSet runs it
  faultline agent --agent-state-dir /tmp/agent`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if check {
				return agent.Check(cmd.Context(), listen)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			logger := log.New(cmd.ErrOrStderr(), "agent: ", log.LstdFlags|log.Lmicroseconds)
			o.Logf = logger.Printf
			if err := agent.Serve(ctx, listen, o); err != nil {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", listen, "loopback address to serve on (inside the agent's pod)")
	cmd.Flags().StringVar(&o.StateDir, "agent-state-dir", agent.DefaultStateDir, "the agent's on-node ledger (a hostPath)")
	cmd.Flags().BoolVar(&check, "check", false, "ask the agent at --listen whether it serves, and exit (the DaemonSet's readiness probe)")
	cmd.Flags().StringVar(&o.Proc, "proc", "/proc", "the host's /proc (shared through hostPID)")
	cmd.Flags().StringVar(&o.CgroupRoot, "cgroup-root", "/sys/fs/cgroup", "the node's cgroup filesystem (a hostPath: a container's own /sys/fs/cgroup shows only itself, read-only)")
	return cmd
}
