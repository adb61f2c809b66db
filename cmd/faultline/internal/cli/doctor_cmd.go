package cli

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"faultline.dev/faultline/internal/doctor"
)

func newDoctorCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Report which fault families this host supports, and why not",
		Long: `doctor checks this host for everything faultline's faults and the local lab
need — root, network namespaces, nftables, netem or NFQUEUE for latency,
libfaketime for clock skew, blkio or io.max for disk throttling, FUSE for disk
faults, MariaDB and Galera, a reachable kubeconfig, a Docker daemon and whether
privileged containers (kind nodes) can run here — and prints ✓ or ✗
with the reason. It changes nothing on the host (scratch namespaces it opens
are discarded).`,
		Example: `  faultline doctor
  faultline doctor --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cs := doctor.Run(cmd.Context())
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(cs)
			}
			doctor.Write(cmd.OutOrStdout(), cs)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as JSON")
	return cmd
}
