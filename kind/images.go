package kind

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	"sigs.k8s.io/kind/pkg/errors"
)

// HaveImage reports whether Docker's image store holds image (a registry
// image not yet pulled is not there: the nodes then pull it themselves).
func HaveImage(ctx context.Context, image string) bool {
	_, err := docker(ctx, "image", "inspect", "--format", "{{.Id}}", image)
	return err == nil
}

// LoadImages loads Docker images (by name) into every node of the cluster
// named name, as `kind load docker-image` does, skipping the nodes that
// already hold each image (same image ID).
func LoadImages(ctx context.Context, name string, images ...string) error {
	if len(images) == 0 {
		return nil
	}
	nodeList, err := provider(nil).ListInternalNodes(name)
	if err != nil {
		return fmt.Errorf("nodes of kind cluster %s: %w", name, err)
	}
	if len(nodeList) == 0 {
		return fmt.Errorf("kind cluster %s has no nodes", name)
	}
	for _, image := range images {
		if err := loadImage(ctx, name, nodeList, image); err != nil {
			return err
		}
	}
	return nil
}

// loadImage saves image once and imports it into the nodes that lack it.
func loadImage(ctx context.Context, cluster string, nodeList []nodes.Node, image string) error {
	id, err := docker(ctx, "image", "inspect", "--format", "{{.Id}}", image)
	if err != nil {
		return fmt.Errorf("load %s into kind cluster %s: %w", image, cluster, err)
	}
	var missing []nodes.Node
	for _, n := range nodeList {
		if have, err := nodeutils.ImageID(n, image); err != nil || have != id {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "faultline-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tar := filepath.Join(dir, "image.tar")
	if _, err := docker(ctx, "save", "-o", tar, image); err != nil {
		return fmt.Errorf("load %s into kind cluster %s: %w", image, cluster, err)
	}
	fns := make([]func() error, 0, len(missing))
	for _, n := range missing {
		fns = append(fns, func() error { return importArchive(n, tar) })
	}
	if err := errors.UntilErrorConcurrent(fns); err != nil {
		return fmt.Errorf("load %s into kind cluster %s (%s): %w", image, cluster, nodeNames(missing), err)
	}
	return nil
}

// importArchive imports the image archive tar into node n's containerd.
func importArchive(n nodes.Node, tar string) error {
	f, err := os.Open(tar)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := nodeutils.LoadImageArchive(n, f); err != nil {
		return fmt.Errorf("node %s: %w", n, err)
	}
	return nil
}

func nodeNames(ns []nodes.Node) string {
	names := make([]string, len(ns))
	for i, n := range ns {
		names[i] = n.String()
	}
	return strings.Join(names, ", ")
}
