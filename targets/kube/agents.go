package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"faultline.dev/faultline/agent"
)

// Agents reaches the node agents (the faultline-agent DaemonSet) through
// the API server's port-forward to each agent's pod: the agents listen on
// loopback in their pods, so there is no other way in.
type Agents struct {
	cs  kubernetes.Interface
	fwd *forwards

	mu      sync.Mutex
	clients map[string]*agent.Client // by agent pod
	onNode  map[string]string        // agent pod by node, as last listed
}

// NewAgents reaches the agents of the cluster rc and cs talk to.
func NewAgents(rc *rest.Config, cs kubernetes.Interface) *Agents {
	return &Agents{cs: cs, fwd: newForwards(rc, cs, agent.Namespace, agent.Port), clients: map[string]*agent.Client{}, onNode: map[string]string{}}
}

// On is the client of the agent on Kubernetes node node (the agent pod
// found last time, until Forget).
func (a *Agents) On(ctx context.Context, node string) (*agent.Client, error) {
	a.mu.Lock()
	pod, ok := a.onNode[node]
	a.mu.Unlock()
	if ok {
		return a.client(pod), nil
	}
	pods, err := a.list(ctx, "spec.nodeName="+node)
	if err != nil {
		return nil, err
	}
	for _, p := range pods {
		if p.Status.Phase == corev1.PodRunning && podReady(p) {
			a.mu.Lock()
			a.onNode[node] = p.Name
			a.mu.Unlock()
			return a.client(p.Name), nil
		}
	}
	return nil, fmt.Errorf("no ready faultline agent on node %s (faultline kind up installs it; elsewhere kubectl apply -k kind/manifests/agent)", node)
}

// Forget drops what On remembers of node's agent (it may have been
// replaced): the next On lists the node's agents again.
func (a *Agents) Forget(node string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pod, ok := a.onNode[node]; ok {
		delete(a.onNode, node)
		if c := a.clients[pod]; c != nil {
			c.Close()
			delete(a.clients, pod)
		}
		a.fwd.drop(pod)
	}
}

// All is the client of every running agent, by node.
func (a *Agents) All(ctx context.Context) (map[string]*agent.Client, error) {
	pods, err := a.list(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string]*agent.Client{}
	for _, p := range pods {
		if p.Status.Phase == corev1.PodRunning {
			out[p.Spec.NodeName] = a.client(p.Name)
		}
	}
	return out, nil
}

func (a *Agents) list(ctx context.Context, fields string) ([]corev1.Pod, error) {
	list, err := a.cs.CoreV1().Pods(agent.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: agent.NameLabel + "=" + agent.Name, FieldSelector: fields})
	if err != nil {
		return nil, fmt.Errorf("faultline agents in %s: %w", agent.Namespace, err)
	}
	return list.Items, nil
}

func (a *Agents) client(pod string) *agent.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.clients[pod]; c != nil {
		return c
	}
	c := agent.NewClient(agent.Namespace+"/"+pod, a.fwd.dialer(pod))
	a.clients[pod] = c
	return c
}

// Close ends the port-forwards.
func (a *Agents) Close() {
	a.mu.Lock()
	for _, c := range a.clients {
		c.Close()
	}
	a.clients = map[string]*agent.Client{}
	a.mu.Unlock()
	a.fwd.closeAll()
}

// AgentPod is how the agent names a database pod's container: the one
// serving port (else the first), its mariadbd process.
func AgentPod(p *corev1.Pod, port int) (agent.Pod, error) {
	name := ""
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if int(cp.ContainerPort) == port && name == "" {
				name = c.Name
			}
		}
	}
	if name == "" && len(p.Spec.Containers) > 0 {
		name = p.Spec.Containers[0].Name
	}
	for _, st := range p.Status.ContainerStatuses {
		if st.Name == name && st.ContainerID != "" {
			return agent.Pod{Name: p.Namespace + "/" + p.Name, ContainerID: st.ContainerID, Process: "mariadbd"}, nil
		}
	}
	return agent.Pod{}, fmt.Errorf("pod %s: container %q has not started (no container id)", p.Name, name)
}

// AgentLeftovers lists what the node agents still hold for run runID
// ("" = every run): each open record of each agent's ledger. An agent that
// cannot be asked (its node frozen or unreachable) is listed as such — not
// a clean bill, and not an error that would hide the other findings.
func (c *Cluster) AgentLeftovers(ctx context.Context, runID string) ([]string, error) {
	return agentLeftovers(ctx, c.agents(), runID)
}

func agentLeftovers(ctx context.Context, ag *Agents, runID string) ([]string, error) {
	all, err := ag.All(ctx)
	if err != nil {
		return nil, err
	}
	var left []string
	for node, c := range all {
		recs, err := c.List(ctx)
		if err != nil {
			left = append(left, fmt.Sprintf("agent on node %s could not be asked what it holds: %v", node, err))
			continue
		}
		for _, r := range recs {
			if runID == "" || r.RunID == runID {
				left = append(left, fmt.Sprintf("agent on node %s: %s %s/%s on %v still applied", node, r.Kind, r.RunID, r.ID, r.Targets))
			}
		}
	}
	sort.Strings(left)
	return left, nil
}

// HealAgents heals every fault every node agent holds for run runID ("" =
// every run), as `faultline recover --context` does after a harness crash;
// it returns what it healed.
func HealAgents(ctx context.Context, kubeconfig, kcontext, runID string) ([]string, error) {
	rc, cs, err := Config{Kubeconfig: kubeconfig, Context: kcontext}.clients()
	if err != nil {
		return nil, err
	}
	ag := NewAgents(rc, cs)
	defer ag.Close()
	all, err := ag.All(ctx)
	if err != nil {
		return nil, err
	}
	var healed []string
	var errs []error
	for node, c := range all {
		recs, err := c.List(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range recs {
			if runID != "" && r.RunID != runID {
				continue
			}
			if err := c.Heal(ctx, r.RunID, r.ID); err != nil {
				errs = append(errs, err)
				continue
			}
			healed = append(healed, fmt.Sprintf("agent on node %s: healed %s %s/%s on %v", node, r.Kind, r.RunID, r.ID, r.Targets))
		}
	}
	sort.Strings(healed)
	return healed, errors.Join(errs...)
}
