package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors"
)

// How the agents carry out a zone outage.
const (
	// outageDefer lets the agent's answer leave the node before the cut.
	outageDefer = time.Second
	// healGrace is how long after the lease's end a heal keeps trying to
	// reach the agents (their nodes' port-forwards come back with the
	// kubelets).
	healGrace = 3 * time.Minute
)

// agentZone is a zone outage through the node agents: each silences its
// own node for the lease and heals it by itself when the lease ends, since
// nothing can reach a silent node to ask it to.
type agentZone struct {
	*agentFault
	since time.Time // when the lease began (the heal's zero when rebuilt)
}

var (
	_ injectors.Fault          = (*agentZone)(nil)
	_ injectors.Verifier       = (*agentZone)(nil)
	_ injectors.RecoveryWaiter = (*agentZone)(nil)
)

// AgentZoneOutage silences every node of zone through its agent for lease.
func (c *Cluster) AgentZoneOutage(ctx context.Context, runID, zone string, nodes []string, lease time.Duration) (injectors.Fault, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("zoneOutage of zone %s through the node agents needs the step's for: each agent heals its node by itself when it ends, since a silent node cannot be reached", zone)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("zoneOutage: no node carries %s=%s", ZoneLabel, zone)
	}
	f := &agentFault{p: agentParams{Where: c.where(), Kind: KindZoneOutage}, ag: c.agents(), c: c}
	for _, n := range nodes {
		f.p.Parts = append(f.p.Parts, agentPart{Host: n, Request: agent.Request{RunID: runID, ID: requestID("zoneOutage", n),
			Kind: agent.KindNodeOutage, Pod: agent.Pod{Name: "node/" + n}, Lease: lease, Defer: outageDefer}})
	}
	return &agentZone{agentFault: f}, nil
}

func rebuildAgentZone(raw json.RawMessage) (injectors.Fault, error) {
	f, err := rebuildAgent(raw)
	if err != nil {
		return nil, err
	}
	return &agentZone{agentFault: f.(*agentFault)}, nil
}

func (f *agentZone) lease() time.Duration { return f.p.Parts[0].Request.Lease }

// Inject asks every agent of the zone to go silent (each answers first).
func (f *agentZone) Inject(ctx context.Context) error {
	f.since = time.Now()
	return f.agentFault.Inject(ctx)
}

// Recover heals each node through its agent once it answers again: the
// agents heal by themselves when the lease ends, so this waits for the
// lease, then asks (healing what is healed is fine).
func (f *agentZone) Recover(ctx context.Context) error {
	since := f.since
	if since.IsZero() {
		since = time.Now() // rebuilt from a ledger: assume the lease just began
	}
	deadline := since.Add(f.lease() + healGrace)
	for {
		actx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := f.agentFault.Recover(actx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("zoneOutage: the agents did not answer within %v of the lease's end: %w", healGrace, err)
		}
		if f.ag != nil { // port-forwards to silent nodes are dead: dial anew
			for _, h := range f.hosts() {
				f.ag.Forget(h)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// Verify waits (within the lease) until the control plane marks every
// node of the zone NotReady: the kubelets have gone silent.
func (f *agentZone) Verify(ctx context.Context) (injectors.Evidence, error) {
	cs, err := f.p.Where.client()
	if err != nil {
		return injectors.Evidence{}, err
	}
	start := f.since
	if start.IsZero() {
		start = time.Now()
	}
	for {
		ready, err := f.readyNodes(ctx, cs.CoreV1().Nodes().Get)
		if err != nil {
			return injectors.Evidence{}, err
		}
		if len(ready) == 0 {
			return injectors.Evidence{Held: true, Summary: fmt.Sprintf("nodes %s NotReady %.0fs after their agents silenced them (lease %v; the agents heal by themselves)",
				strings.Join(f.hosts(), ", "), time.Since(start).Seconds(), f.lease())}, nil
		}
		if time.Since(start) > f.lease() || ctx.Err() != nil {
			return injectors.Evidence{Summary: fmt.Sprintf("nodes %s still Ready %.0fs after their agents silenced them (the control plane's node grace period may exceed the lease %v)",
				strings.Join(ready, ", "), time.Since(start).Seconds(), f.lease())}, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// WaitRecovered waits until every node of the zone is Ready again.
func (f *agentZone) WaitRecovered(ctx context.Context) error {
	cs, err := f.p.Where.client()
	if err != nil {
		return err
	}
	for {
		ready, err := f.readyNodes(ctx, cs.CoreV1().Nodes().Get)
		if err == nil && len(ready) == len(f.p.Parts) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("zoneOutage: nodes %v not Ready again: %w", f.hosts(), ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}

type getNode func(ctx context.Context, name string, o metav1.GetOptions) (*corev1.Node, error)

// readyNodes lists the zone's nodes whose Ready condition is True.
func (f *agentZone) readyNodes(ctx context.Context, get getNode) ([]string, error) {
	var ready []string
	for _, h := range f.hosts() {
		n, err := get(ctx, h, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("zoneOutage: node %s: %w", h, err)
		}
		if nodeReady(n) {
			ready = append(ready, h)
		}
	}
	return ready, nil
}

func (f *agentZone) hosts() []string {
	var out []string
	for _, p := range f.p.Parts {
		out = append(out, p.Host)
	}
	return out
}
