package kind

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"time"
)

// docker runs the docker CLI and returns its trimmed standard output; an
// error carries the command and its standard error.
func docker(ctx context.Context, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// checkDocker fails at once (within seconds) when no daemon answers.
func checkDocker(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := docker(ctx, "version", "--format", "{{.Server.Version}}"); err != nil {
		return fmt.Errorf("%w: %w", errNoDocker, err)
	}
	return nil
}

// ensureNetwork makes sure the Docker network kind puts its nodes on,
// "kind", lies inside 198.19.0.0/16: an existing one elsewhere is refused
// (kind would reuse it), a missing one is created as hack/dockerd.sh does.
func ensureNetwork(ctx context.Context) error {
	out, err := docker(ctx, "network", "ls", "--filter", "name=^kind$", "--format", "{{.Name}}")
	if err != nil {
		return err
	}
	if out == "" {
		_, err := docker(ctx, "network", "create", "--driver", "bridge",
			"--subnet", kindNetwork.String(), "--gateway", kindNetwork.Addr().Next().String(),
			"-o", "com.docker.network.bridge.enable_ip_masquerade=true", "kind")
		return err
	}
	subnets, err := docker(ctx, "network", "inspect", "kind", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}")
	if err != nil {
		return err
	}
	return checkSubnets(strings.Fields(subnets))
}

// checkSubnets refuses IPv4 subnets of the kind network outside dockerRange.
func checkSubnets(subnets []string) error {
	for _, s := range subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("docker network kind: subnet %q: %w", s, err)
		}
		if p.Addr().Is4() && (!dockerRange.Contains(p.Addr()) || p.Bits() < dockerRange.Bits()) {
			return fmt.Errorf("docker network kind has subnet %s, outside %s: remove it (docker network rm kind) "+
				"or run hack/dockerd.sh start on a daemon of its own", p, dockerRange)
		}
	}
	return nil
}
