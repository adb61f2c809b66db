package kind

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
)

// galera observes the test's Galera StatefulSet.
type galera struct {
	t  *testing.T
	cl *Cluster
	cs kubernetes.Interface
}

// waitFormed waits until the StatefulSet has 3 ready pods, none of them in
// old, on 3 distinct zones, each reporting wsrep_cluster_size 3.
func (g galera) waitFormed(ctx context.Context, old []podRef) []podRef {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var last error
	for {
		pods, err := g.formed(ctx, old)
		if err == nil {
			return pods
		}
		last = err
		select {
		case <-ctx.Done():
			g.t.Fatalf("galera did not form: %v", last)
		case <-time.After(3 * time.Second):
		}
	}
}

// formed returns the ready pods if the cluster is formed, else why not.
func (g galera) formed(ctx context.Context, old []podRef) ([]podRef, error) {
	sts, err := g.cs.AppsV1().StatefulSets(testNamespace).Get(ctx, "galera", metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if sts.Status.ReadyReplicas != 3 {
		return nil, fmt.Errorf("%d ready replicas", sts.Status.ReadyReplicas)
	}
	list, err := g.cs.CoreV1().Pods(testNamespace).List(ctx, metav1.ListOptions{LabelSelector: galeraPods})
	if err != nil {
		return nil, err
	}
	var pods []podRef
	zones := map[string]bool{}
	for _, p := range list.Items {
		if !podReady(p) || p.DeletionTimestamp != nil || slices.ContainsFunc(old, func(o podRef) bool { return o.uid == p.UID }) {
			return nil, fmt.Errorf("pod %s not yet a new ready pod", p.Name)
		}
		node, err := g.cs.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		zone := node.Labels[ZoneLabel]
		zones[zone] = true
		pods = append(pods, podRef{name: p.Name, zone: zone, uid: p.UID})
	}
	if len(pods) != 3 || len(zones) != 3 {
		return nil, fmt.Errorf("pods %v: want 3 on 3 zones", pods)
	}
	for _, p := range pods {
		if size := g.sql(ctx, p, "SHOW STATUS LIKE 'wsrep_cluster_size'"); size != "wsrep_cluster_size\t3" {
			return nil, fmt.Errorf("pod %s: %q", p.name, size)
		}
	}
	return pods, nil
}

// sql runs `mariadb -N -B -e query` in pod and returns its trimmed output.
func (g galera) sql(ctx context.Context, pod podRef, query string) string {
	g.t.Helper()
	out, err := execPod(ctx, g.cl, g.cs, pod.name, "mariadb", "-N", "-B", "-e", query)
	if err != nil {
		g.t.Fatalf("pod %s: mariadb -e %q: %v", pod.name, query, err)
	}
	return out
}

// execPod runs a command in the mariadb container of pod (client-go exec).
func execPod(ctx context.Context, cl *Cluster, cs kubernetes.Interface, pod string, cmd ...string) (string, error) {
	cfg, err := restConfig(cl)
	if err != nil {
		return "", err
	}
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(testNamespace).Name(pod).
		SubResource("exec").VersionedParams(&corev1.PodExecOptions{
		Container: "mariadb", Command: cmd, Stdout: true, Stderr: true,
	}, scheme.ParameterCodec)
	exec, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
