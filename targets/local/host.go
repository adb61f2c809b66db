package local

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"

	"faultline.dev/faultline/internal/galera"

	"faultline.dev/faultline/internal/faketime"
)

// CheckHost checks that this machine can run a lab and lists everything
// missing. It installs nothing. A FORWARD policy of DROP (Docker's) is no
// obstacle: each lab accepts forwarding on its own bridge (see firewall.go).
func CheckHost() error {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (the lab creates namespaces, loop devices and mounts)")
	}
	for _, bin := range []string{"mariadbd", "mariadb-install-db", "mkfs.ext4", "losetup", "nsenter", "rsync", "cp"} {
		if sbin(bin) == bin {
			missing = append(missing, "the "+bin+" command")
		}
	}
	if galera.Provider() == "" {
		missing = append(missing, "the Galera provider libgalera_smm.so (looked in "+strings.Join(galera.Providers, ", ")+")")
	}
	if f := faketime.Lib(); f != "" {
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
	return nil
}

// sbin finds a command in PATH or /usr/sbin, /sbin; name itself if nowhere.
func sbin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return name
}
