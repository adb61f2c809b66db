package kind

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// cniConfig is where kindnet writes a node's CNI configuration, with the
// node's pod range as the host-local IPAM's subnet.
const cniConfig = "/etc/cni/net.d/10-kindnet.conflist"

// repairPodNetwork mends what a restart of the node containers (dockerd
// restarted, the machine rebooted) leaves behind. Docker hands a restarted
// node container whatever address of the kind network is free, so nodes can
// swap addresses; kind rewrites each node's own configuration, but until
// kindnet has run again a node's CNI configuration may still name another
// node's pod range, and a pod whose sandbox was made in that window keeps an
// address routed to the other node: it answers nothing, and its peers (a
// Galera member waiting for every position) wait forever. So this waits
// until every node's CNI configuration names the node's own pod range, then
// deletes every pod whose address lies outside its node's range; its
// controller makes it anew with a routable address. A healthy cluster costs
// one read per node and one pod list; nodes are the Ready nodes waitNodes
// found.
func repairPodNetwork(ctx context.Context, cs kubernetes.Interface, nodes []corev1.Node, logf func(string, ...any)) error {
	ranges := map[string]netip.Prefix{}
	for _, n := range nodes {
		if n.Spec.PodCIDR == "" {
			continue
		}
		p, err := netip.ParsePrefix(n.Spec.PodCIDR)
		if err != nil {
			return fmt.Errorf("node %s: pod range %q: %w", n.Name, n.Spec.PodCIDR, err)
		}
		ranges[n.Name] = p
		if err := waitCNIRange(ctx, n.Name, p); err != nil {
			return err
		}
	}
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list pods: %w", err)
	}
	zero := int64(0)
	for _, pod := range misplacedPods(pods.Items, ranges) {
		logf("kind: pod %s/%s on %s has address %s outside the node's pod range %s (its sandbox predates the node's restart): deleting it so its controller makes it anew",
			pod.Namespace, pod.Name, pod.Spec.NodeName, pod.Status.PodIP, ranges[pod.Spec.NodeName])
		err := cs.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		if err != nil {
			return fmt.Errorf("delete pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	return nil
}

// misplacedPods are the pods of the pod network (not the host's) whose
// address lies outside their node's pod range.
func misplacedPods(pods []corev1.Pod, ranges map[string]netip.Prefix) []corev1.Pod {
	var out []corev1.Pod
	for _, pod := range pods {
		r, ok := ranges[pod.Spec.NodeName]
		if pod.Spec.HostNetwork || !ok || pod.DeletionTimestamp != nil {
			continue
		}
		ip, err := netip.ParseAddr(pod.Status.PodIP)
		if err != nil || r.Contains(ip) {
			continue
		}
		out = append(out, pod)
	}
	return out
}

// waitCNIRange waits until node's CNI configuration names its pod range r.
func waitCNIRange(ctx context.Context, node string, r netip.Prefix) error {
	want := fmt.Sprintf("%q", r.String())
	for {
		conf, err := docker(ctx, "exec", node, "cat", cniConfig)
		if err == nil && strings.Contains(conf, want) {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("it does not name %s", r)
			}
			return fmt.Errorf("node %s: CNI configuration %s: %w (%w)", node, cniConfig, err, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}
