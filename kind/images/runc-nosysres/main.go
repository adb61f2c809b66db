// Command runc-nosysres is an OCI runtime for dockerd on hosts whose
// capability bounding set lacks CAP_SYS_RESOURCE (some sandboxes and nested
// containers). There `docker run --privileged` fails with "unable to apply
// caps: operation not permitted", because runc is asked to keep a
// capability the host cannot grant. This wrapper deletes CAP_SYS_RESOURCE
// from the bundle's config.json (create, run) or from the --process file
// (exec), then executes /usr/sbin/runc with the same arguments.
// hack/dockerd.sh registers it only when the capability is missing.
package main

import (
	"fmt"
	"os"
	"syscall"
)

const runc = "/usr/sbin/runc"

func main() {
	if err := strip(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "runc-nosysres:", err)
		os.Exit(1)
	}
	argv := append([]string{runc}, os.Args[1:]...)
	err := syscall.Exec(runc, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "runc-nosysres: exec %s: %v\n", runc, err)
	os.Exit(1)
}

// strip edits the OCI file the command line names, if any.
func strip(args []string) error {
	path := specPath(args)
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	return stripFile(path, "CAP_SYS_RESOURCE")
}

// specPath returns the JSON file runc will read for the subcommand of args:
// BUNDLE/config.json for create and run, the --process file for exec, ""
// otherwise (or for exec without --process: runc then takes the process
// from flags, which never add capabilities docker did not ask for).
func specPath(args []string) string {
	cmd, bundle, proc := "", ".", ""
	for i := 0; i < len(args); i++ {
		a, next := args[i], ""
		if i+1 < len(args) {
			next = args[i+1]
		}
		switch {
		case cmd == "" && (a == "create" || a == "run" || a == "exec"):
			cmd = a
		case a == "--bundle" || a == "-b":
			bundle, i = next, i+1
		case len(a) > 9 && a[:9] == "--bundle=":
			bundle = a[9:]
		case a == "--process" || a == "-p":
			proc, i = next, i+1
		case len(a) > 10 && a[:10] == "--process=":
			proc = a[10:]
		}
	}
	switch cmd {
	case "create", "run":
		return bundle + "/config.json"
	case "exec":
		return proc
	}
	return ""
}
