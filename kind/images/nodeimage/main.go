// Command nodeimage builds a kind node image from a local Kubernetes
// server directory (kubernetes/version, kubernetes/server/bin/{kubeadm,
// kubelet,kubectl,*.tar}) through kind's library, without any registry:
//
//	nodeimage -dir DIR -base IMAGE -image IMAGE
//
// Every image archive in DIR is first rewritten so that kind sees all of
// its images (see archive.go), then DIR is packed as the kubernetes-server
// tarball kind's "file" build type reads.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	dir := flag.String("dir", "", "directory holding kubernetes/")
	base := flag.String("base", "", "kind base image")
	image := flag.String("image", "", "node image to build")
	flag.Parse()
	if err := run(*dir, *base, *image); err != nil {
		fmt.Fprintln(os.Stderr, "nodeimage:", err)
		os.Exit(1)
	}
}
