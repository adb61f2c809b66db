package kind

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/cluster"
)

// Cluster is a running kind cluster.
type Cluster struct {
	Name       string
	Kubeconfig string // path of a kubeconfig file written for this cluster only
	Context    string // "kind-" + Name
}

// readyTimeout bounds the wait for every node to be Ready.
const readyTimeout = 5 * time.Minute

// Up creates the cluster c describes, or reuses a running cluster of that
// name whose nodes match, and returns once every node, workers too, is
// Ready. Without a Docker daemon it fails at once and creates nothing.
// kind's library takes no context: ctx is checked before the creation
// (≈ 1 min) and bounds every wait after it.
func Up(ctx context.Context, c Config) (*Cluster, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := checkDocker(ctx); err != nil {
		return nil, fmt.Errorf("kind cluster %s: %w", c.Name, err)
	}
	if _, err := docker(ctx, "image", "inspect", "--format", "{{.Id}}", c.NodeImage); err != nil {
		return nil, fmt.Errorf("kind cluster %s: node image %s missing (build it: make kind-images): %w", c.Name, c.NodeImage, err)
	}
	if err := ensureNetwork(ctx); err != nil {
		return nil, fmt.Errorf("kind cluster %s: %w", c.Name, err)
	}
	cl := &Cluster{Name: c.Name, Kubeconfig: kubeconfigPath(c.Name), Context: "kind-" + c.Name}
	p := provider(c.Logf)
	if err := create(ctx, p, c, cl); err != nil {
		return nil, err
	}
	if err := writeKubeconfig(p, cl); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	cs, err := clientset(cl)
	if err != nil {
		return nil, err
	}
	nodes, err := waitNodes(wctx, cs, c)
	if err != nil {
		return nil, fmt.Errorf("kind cluster %s: %w", c.Name, err)
	}
	if err := repairPodNetwork(wctx, cs, nodes, c.Logf); err != nil {
		return nil, fmt.Errorf("kind cluster %s: %w", c.Name, err)
	}
	return cl, nil
}

// create makes the cluster unless a matching one is running already.
func create(ctx context.Context, p *cluster.Provider, c Config, cl *Cluster) error {
	names, err := p.List()
	if err != nil {
		return fmt.Errorf("list kind clusters: %w", err)
	}
	if slices.Contains(names, c.Name) && !nodesRunning(ctx, p, c.Name) {
		// Docker restarted (a reboot, a CI machine's fresh daemon): kind
		// cannot restart its nodes reliably, so the cluster is made anew.
		c.Logf("kind cluster %s: its node containers are not running; recreating it", c.Name)
		if err := p.Delete(c.Name, cl.Kubeconfig); err != nil {
			return fmt.Errorf("delete stopped kind cluster %s: %w", c.Name, err)
		}
		names = slices.DeleteFunc(names, func(n string) bool { return n == c.Name })
	}
	if slices.Contains(names, c.Name) {
		if err := matchNodes(ctx, p, c); err != nil {
			return fmt.Errorf("kind cluster %s exists but does not match (delete it: kind.Down): %w", c.Name, err)
		}
		c.Logf("kind cluster %s: reusing the running cluster", c.Name)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cl.Kubeconfig), 0o700); err != nil {
		return fmt.Errorf("kind cluster %s: %w", c.Name, err)
	}
	c.Logf("kind cluster %s: creating 1 control plane + %d workers (%s)", c.Name, c.workers(), c.NodeImage)
	start := time.Now()
	err = p.Create(c.Name,
		cluster.CreateWithV1Alpha4Config(c.kindConfig()),
		cluster.CreateWithNodeImage(c.NodeImage),
		cluster.CreateWithWaitForReady(readyTimeout),
		cluster.CreateWithKubeconfigPath(cl.Kubeconfig),
		cluster.CreateWithDisplayUsage(false),
		cluster.CreateWithDisplaySalutation(false))
	if err != nil {
		return fmt.Errorf("create kind cluster %s: %w", c.Name, err)
	}
	c.Logf("kind cluster %s: created in %s", c.Name, time.Since(start).Round(time.Second))
	return nil
}

// nodesRunning reports whether every node container of cluster name runs.
func nodesRunning(ctx context.Context, p *cluster.Provider, name string) bool {
	nodes, err := p.ListNodes(name)
	if err != nil || len(nodes) == 0 {
		return false
	}
	for _, n := range nodes {
		if state, err := docker(ctx, "inspect", "--format", "{{.State.Running}}", n.String()); err != nil || state != "true" {
			return false
		}
	}
	return true
}

// matchNodes checks that the running cluster has the nodes c describes:
// one control plane and c.workers() workers, running c.NodeImage. Zones
// are checked on the Kubernetes nodes (waitNodes).
func matchNodes(ctx context.Context, p *cluster.Provider, c Config) error {
	nodes, err := p.ListNodes(c.Name)
	if err != nil {
		return err
	}
	roles := map[string]int{}
	for _, n := range nodes {
		role, err := n.Role()
		if err != nil {
			return err
		}
		roles[role]++
		state, err := docker(ctx, "inspect", "--format", "{{.State.Running}} {{.Config.Image}}", n.String())
		if err != nil {
			return err
		}
		if state != "true "+c.NodeImage {
			return fmt.Errorf("node %s: running+image %q, want %q", n, state, "true "+c.NodeImage)
		}
	}
	if roles["control-plane"] != 1 || roles["worker"] != c.workers() || len(nodes) != 1+c.workers() {
		return fmt.Errorf("nodes by role %v, want 1 control-plane and %d workers", roles, c.workers())
	}
	return nil
}

// Down deletes the cluster named name; no such cluster is not an error.
func Down(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := provider(nil)
	names, err := p.List()
	if err != nil {
		return fmt.Errorf("list kind clusters: %w", err)
	}
	path := kubeconfigPath(name)
	if slices.Contains(names, name) {
		if err := p.Delete(name, path); err != nil {
			return fmt.Errorf("delete kind cluster %s: %w", name, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete kind cluster %s: %w", name, err)
	}
	return nil
}

// kubeconfigPath is where the kubeconfig of cluster name is written:
// $FAULTLINE_CACHE/kind/NAME.kubeconfig (default ~/.cache/faultline).
func kubeconfigPath(name string) string {
	dir := os.Getenv("FAULTLINE_CACHE")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		dir = filepath.Join(home, ".cache", "faultline")
	}
	return filepath.Join(dir, "kind", name+".kubeconfig")
}

// writeKubeconfig writes the cluster's own kubeconfig (127.0.0.1) to cl.Kubeconfig.
func writeKubeconfig(p *cluster.Provider, cl *Cluster) error {
	cfg, err := p.KubeConfig(cl.Name, false)
	if err != nil {
		return fmt.Errorf("kubeconfig of kind cluster %s: %w", cl.Name, err)
	}
	if !strings.Contains(cfg, cl.Context) {
		return fmt.Errorf("kubeconfig of kind cluster %s lacks context %s", cl.Name, cl.Context)
	}
	if err := os.MkdirAll(filepath.Dir(cl.Kubeconfig), 0o700); err != nil {
		return err
	}
	return os.WriteFile(cl.Kubeconfig, []byte(cfg), 0o600)
}
