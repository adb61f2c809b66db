// Command faultline runs chaos scenarios against stateful clusters and
// verifies, from the clients' own history, that no acknowledged data was
// lost. See `faultline --help`.
package main

import (
	"os"

	"faultline.dev/faultline/cmd/faultline/internal/cli"
	"faultline.dev/faultline/targets/local/diskfs"
)

func main() {
	diskfs.MaybeServe() // a lab's disk-fault layer re-executes this binary
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
