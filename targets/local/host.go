package local

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strings"
)

// CheckHost checks that this machine can run a lab and lists everything
// missing. It installs nothing.
func CheckHost() error {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (the lab creates namespaces, loop devices and mounts)")
	}
	for _, bin := range []string{"mariadbd", "mariadb-install-db", "mkfs.ext4", "losetup", "nsenter", "rsync", "cp"} {
		if _, err := exec.LookPath(bin); err != nil {
			if _, err := os.Stat("/usr/sbin/" + bin); err != nil {
				missing = append(missing, "the "+bin+" command")
			}
		}
	}
	for _, f := range []string{galeraProvider, faketimeLib} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if _, err := user.Lookup("mysql"); err != nil {
		missing = append(missing, "the mysql user")
	}
	if len(missing) > 0 {
		return fmt.Errorf("this machine cannot run a local lab; missing: %s "+
			"(Debian: apt-get install mariadb-server galera-4 mariadb-client rsync faketime e2fsprogs util-linux)",
			strings.Join(missing, ", "))
	}
	return forwardAccepts()
}

// forwardAccepts refuses a host whose iptables FORWARD policy would drop
// bridged lab traffic (bridge-nf-call-iptables=1 sends it through FORWARD).
// It reads the policy and never changes it.
func forwardAccepts() error {
	b, err := os.ReadFile("/proc/sys/net/bridge/bridge-nf-call-iptables")
	if err != nil || strings.TrimSpace(string(b)) != "1" {
		return nil
	}
	out, err := exec.Command("iptables", "-w", "-S", "FORWARD").Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) || err != nil {
		return nil // no iptables: nothing to drop the traffic
	}
	if strings.Contains(string(out), "-P FORWARD ACCEPT") {
		return nil
	}
	return fmt.Errorf("iptables FORWARD policy is not ACCEPT and net.bridge.bridge-nf-call-iptables=1: " +
		"bridged lab traffic would be dropped; allow forwarding on fl-* bridges")
}
