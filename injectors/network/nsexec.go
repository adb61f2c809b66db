package network

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
)

// ExecIn runs a command inside the network namespace at nsPath (through
// nsenter) and returns its combined output; the error names the command and
// carries the output.
func ExecIn(ctx context.Context, nsPath, name string, args ...string) ([]byte, error) {
	full := append([]string{"--net=" + nsPath, name}, args...)
	out, err := exec.CommandContext(ctx, "nsenter", full...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s in %s: %w: %s", name, strings.Join(args, " "), nsPath, err, strings.TrimSpace(string(out)))
	}
	return out, nil
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
