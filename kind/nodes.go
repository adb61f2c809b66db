package kind

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// restConfig is the client configuration of cl's kubeconfig file.
func restConfig(cl *Cluster) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", cl.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", cl.Kubeconfig, err)
	}
	return cfg, nil
}

// clientset is a typed client of cl.
func clientset(cl *Cluster) (*kubernetes.Clientset, error) {
	cfg, err := restConfig(cl)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// waitNodes waits until the cluster has the nodes c describes, every one
// Ready and every worker labelled with its zone, and returns them; the last
// mismatch is returned when ctx ends first.
func waitNodes(ctx context.Context, cs kubernetes.Interface, c Config) ([]corev1.Node, error) {
	for {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err == nil {
			if err = checkNodes(list.Items, c); err == nil {
				c.Logf("kind cluster %s: %d nodes Ready", c.Name, len(list.Items))
				return list.Items, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("nodes not all Ready: %w (%w)", err, ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}

// checkNodes reports the first way nodes differ from what c describes:
// 1 control plane, WorkersPerZone workers in each zone, all Ready.
func checkNodes(nodes []corev1.Node, c Config) error {
	perZone := map[string]int{}
	controlPlanes := 0
	for _, n := range nodes {
		if !nodeReady(n) {
			return fmt.Errorf("node %s is not Ready", n.Name)
		}
		if _, cp := n.Labels["node-role.kubernetes.io/control-plane"]; cp {
			controlPlanes++
			continue
		}
		zone, ok := n.Labels[ZoneLabel]
		if !ok {
			return fmt.Errorf("worker %s has no %s label", n.Name, ZoneLabel)
		}
		perZone[zone]++
	}
	if controlPlanes != 1 {
		return fmt.Errorf("%d control-plane nodes, want 1", controlPlanes)
	}
	for _, z := range c.Zones {
		if perZone[z] != c.WorkersPerZone {
			return fmt.Errorf("zone %s has %d workers, want %d", z, perZone[z], c.WorkersPerZone)
		}
	}
	if len(perZone) != len(c.Zones) {
		return fmt.Errorf("workers in zones %v, want exactly %v", perZone, c.Zones)
	}
	return nil
}

// nodeReady reports whether n's Ready condition is True.
func nodeReady(n corev1.Node) bool {
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}
