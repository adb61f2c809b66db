// Package galera knows where distributions install the Galera provider.
package galera

import "os"

// Providers are the paths of libgalera_smm.so, in the order they are
// tried: Debian's galera-4 (which also installs the second), MariaDB's own
// Debian/Ubuntu packages (the official image loads it from there), and
// the RPM packages.
var Providers = []string{
	"/usr/lib/galera/libgalera_smm.so",
	"/usr/lib/libgalera_smm.so",
	"/usr/lib64/galera-4/libgalera_smm.so",
	"/usr/lib64/galera/libgalera_smm.so",
}

// Provider is the first of Providers present on this machine, or "" when
// none is.
func Provider() string {
	for _, p := range Providers {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}
