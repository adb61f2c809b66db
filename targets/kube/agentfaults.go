package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/clock"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/targets"
)

// agentPart is one request to the agent of one Kubernetes node.
type agentPart struct {
	Host    string        `json:"host"` // the Kubernetes node whose agent applies it
	Request agent.Request `json:"request"`
	IP      net.IP        `json:"ip,omitempty"` // the pod's address (partition's matrix)
}

// probeOnly is a partition's pod without cuts of its own: nothing to
// apply there, but its view is part of the matrix.
func (p agentPart) probeOnly() bool {
	return p.Request.Kind == agent.KindPartition && len(p.Request.DropTo) == 0
}

// agentParams are an agent fault's ledger params: where the cluster is
// and every request, so `faultline recover` heals them from any machine.
type agentParams struct {
	Where
	Kind  string      `json:"kind"`
	Parts []agentPart `json:"parts"`
	// Cuts are the directed cuts of a partition (pod → pod), for its proof.
	Cuts [][2]string `json:"cuts,omitempty"`
}

// agentFault is a fault applied inside pods by the node agents.
type agentFault struct {
	p  agentParams
	ag *Agents
	c  *Cluster // nil when rebuilt from the ledger

	mu    sync.Mutex
	proof map[string]*injectors.Evidence // the agents' own evidence, by pod
	took  []time.Duration
}

var (
	_ injectors.Fault    = (*agentFault)(nil)
	_ injectors.Verifier = (*agentFault)(nil)
)

func (f *agentFault) Kind() string            { return f.p.Kind }
func (f *agentFault) Params() json.RawMessage { b, _ := json.Marshal(f.p); return b }

// rebuildAgent is the factory of every agent kind: it reaches the cluster
// again through the record's context.
func rebuildAgent(raw json.RawMessage) (injectors.Fault, error) {
	var p agentParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("agent fault params: %w", err)
	}
	return &agentFault{p: p}, nil
}

func (f *agentFault) agents() (*Agents, error) {
	if f.ag != nil {
		return f.ag, nil
	}
	rc, cs, err := Config{Kubeconfig: f.p.Kubeconfig, Context: f.p.Context}.clients()
	if err != nil {
		return nil, err
	}
	f.ag = NewAgents(rc, cs)
	return f.ag, nil
}

// each runs fn for every part at once, joining the errors.
func (f *agentFault) each(ctx context.Context, fn func(context.Context, *agent.Client, agentPart) error) error {
	ag, err := f.agents()
	if err != nil {
		return err
	}
	errs := make([]error, len(f.p.Parts))
	var wg sync.WaitGroup
	for i, part := range f.p.Parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ag.On(ctx, part.Host)
			if err == nil {
				err = fn(ctx, c, part)
			}
			if err != nil && ctx.Err() == nil { // the agent may have been replaced: find it again, once
				ag.Forget(part.Host)
				if c, err = ag.On(ctx, part.Host); err == nil {
					err = fn(ctx, c, part)
				}
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s %s on %s: %w", f.p.Kind, part.Request.ID, part.Request.Pod.Name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Inject asks every agent involved to apply its part, all at once.
func (f *agentFault) Inject(ctx context.Context) error {
	return f.each(ctx, func(ctx context.Context, c *agent.Client, part agentPart) error {
		if part.probeOnly() {
			return nil
		}
		t0 := time.Now()
		out, err := c.Apply(ctx, part.Request)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.took = append(f.took, time.Since(t0))
		if f.proof == nil {
			f.proof = map[string]*injectors.Evidence{}
		}
		f.proof[part.Request.Pod.Name] = out.Evidence
		return err
	})
}

// Recover asks every agent to heal its part (healing what is healed is fine).
func (f *agentFault) Recover(ctx context.Context) error {
	return f.each(ctx, func(ctx context.Context, c *agent.Client, part agentPart) error {
		if part.probeOnly() {
			return nil
		}
		return c.Heal(ctx, part.Request.RunID, part.Request.ID)
	})
}

// InjectLatency is how long each agent took to answer, from the harness's
// call to the effect in place.
func (f *agentFault) InjectLatency() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.took...)
}

// Verify proves the effect: the connectivity matrix seen from inside each
// pod (partition), the server's NOW(6) against the harness clock
// (clockSkew), and for the others the agents' own proof (pause: the
// stopped process; latency: connect times; bandwidth: token buckets).
func (f *agentFault) Verify(ctx context.Context) (injectors.Evidence, error) {
	switch f.p.Kind {
	case agent.KindPartition:
		return f.verifyPartition(ctx)
	case agent.KindClockSkew:
		return f.verifyClock(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	held, lines := true, []string{}
	for _, part := range f.p.Parts {
		ev := f.proof[part.Request.Pod.Name]
		if ev == nil {
			held = false
			lines = append(lines, part.Request.Pod.Name+": no evidence")
			continue
		}
		held = held && ev.Held
		lines = append(lines, ev.Summary)
	}
	b, _ := json.Marshal(f.proof)
	return injectors.Evidence{Held: held, Summary: strings.Join(lines, "; "), Data: b}, nil
}

// verifyPartition dials, from inside every pod of the cluster, every other
// pod's SQL and Galera ports, and compares what answered with the plan.
func (f *agentFault) verifyPartition(ctx context.Context) (injectors.Evidence, error) {
	plan := network.Plan{}
	for _, c := range f.p.Cuts {
		plan[network.Cut{From: c[0], To: c[1]}] = true
	}
	eps := make([]network.Endpoint, len(f.p.Parts))
	for i, part := range f.p.Parts {
		eps[i] = network.Endpoint{Node: podName(part.Request.Pod), Addr: part.IP, Ports: []int{f.c.cfg.Port, 4567}}
	}
	obs := network.Matrix{Reach: map[string]map[string]bool{}}
	var mu sync.Mutex
	err := f.each(ctx, func(ctx context.Context, c *agent.Client, part agentPart) error {
		var peers []agent.Peer
		for _, e := range eps {
			if e.Node != podName(part.Request.Pod) {
				peers = append(peers, agent.Peer{Name: e.Node, Addr: e.Addr, Ports: e.Ports})
			}
		}
		r, err := c.Probe(ctx, agent.ProbeRequest{Pod: part.Request.Pod, Peers: peers, Timeout: time.Second})
		mu.Lock()
		defer mu.Unlock()
		obs.Reach[podName(part.Request.Pod)] = r.Reach
		obs.Mixed = append(obs.Mixed, r.Mixed...)
		return err
	})
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify partition: %w", err)
	}
	ev := network.CompareMatrix(plan, eps, obs)
	sort.Strings(ev.Wrong)
	held := len(ev.Wrong) == 0 && len(obs.Mixed) == 0
	sum := "partition: connectivity matrix from inside the pods as intended"
	if !held {
		sum = fmt.Sprintf("partition: %d pairs differ from the intended matrix: %v", len(ev.Wrong), ev.Wrong)
	}
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: held, Summary: sum, Data: b}, nil
}

// verifyClock measures each skewed pod's clock through its port-forward,
// as the lab's own clockSkew does (a drift: its rate over a window).
func (f *agentFault) verifyClock(ctx context.Context) (injectors.Evidence, error) {
	held, lines, all := true, []string{}, map[string]json.RawMessage{}
	for _, part := range f.p.Parts {
		name := podName(part.Request.Pod)
		n, ok := targets.NodeByName(f.c, name)
		if !ok {
			return injectors.Evidence{}, fmt.Errorf("verify clockSkew: no pod %s", name)
		}
		ev, err := clock.Observed(n, part.Request.Offset, part.Request.DriftPPM).Verify(ctx)
		if err != nil {
			return injectors.Evidence{}, err
		}
		held = held && ev.Held
		all[name] = ev.Data
		lines = append(lines, ev.Summary)
	}
	b, _ := json.Marshal(all)
	return injectors.Evidence{Held: held, Summary: strings.Join(lines, "; "), Data: b}, nil
}

// podName is the pod's name without its namespace (the target's node name).
func podName(p agent.Pod) string { return p.Name[strings.IndexByte(p.Name, '/')+1:] }

// agentFault builds a fault of kind over pods: one request per pod, its
// id the step's and the pod's.
func (c *Cluster) agentFault(ctx context.Context, kind, runID string, pods []string, req func(p corev1.Pod, r *agent.Request)) (*agentFault, error) {
	byName, err := c.podsByName(ctx)
	if err != nil {
		return nil, err
	}
	f := &agentFault{p: agentParams{Where: c.where(), Kind: kind}, ag: c.agents(), c: c}
	for _, name := range pods {
		p, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("%s: no pod %s in %s", kind, name, c.cfg.Namespace)
		}
		ap, err := AgentPod(&p, c.cfg.Port)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		r := agent.Request{RunID: runID, Kind: kind, Pod: ap}
		req(p, &r)
		f.p.Parts = append(f.p.Parts, agentPart{Host: p.Spec.NodeName, Request: r, IP: net.ParseIP(p.Status.PodIP).To4()})
	}
	return f, nil
}

func (c *Cluster) podsByName(ctx context.Context) (map[string]corev1.Pod, error) {
	pods, err := c.Pods(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]corev1.Pod{}
	for _, p := range pods {
		out[p.Name] = p
	}
	return out, nil
}

// Agents is the cluster's way to its node agents.
func (c *Cluster) Agents() *Agents { return c.agents() }

// agents is the cluster's way to its node agents, opened on first use.
func (c *Cluster) agents() *Agents {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ag == nil {
		c.ag = NewAgents(c.rest, c.cs)
	}
	return c.ag
}

// requestID names one pod's part of a fault, unique in the run.
func requestID(kind, pod string) string {
	return fmt.Sprintf("%s.%d.%s", kind, time.Now().UnixNano(), pod)
}

// Partition cuts the pods apart by blackhole routes inside their network
// namespaces, applied by the node agents: the same plan (shape, groups,
// selected pods) and the same routes as on the lab.
func (c *Cluster) Partition(ctx context.Context, runID, shape string, groups [][]string, selected []string) (injectors.Fault, error) {
	var names []string
	for _, n := range c.Nodes() {
		names = append(names, n.Name)
	}
	plan, err := network.PlanPartition(shape, names, groups, selected)
	if err != nil {
		return nil, err
	}
	byName, err := c.podsByName(ctx)
	if err != nil {
		return nil, err
	}
	f, err := c.agentFault(ctx, agent.KindPartition, runID, names, func(p corev1.Pod, r *agent.Request) {
		r.ID = requestID("partition", p.Name)
		for _, peer := range plan.DropTo(p.Name, names) {
			if ip := net.ParseIP(byName[peer].Status.PodIP).To4(); ip != nil {
				r.DropTo = append(r.DropTo, ip)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for cut := range plan {
		f.p.Cuts = append(f.p.Cuts, [2]string{cut.From, cut.To})
	}
	sort.Slice(f.p.Cuts, func(i, j int) bool { return f.p.Cuts[i][0]+f.p.Cuts[i][1] < f.p.Cuts[j][0]+f.p.Cuts[j][1] })
	return f, nil
}

// Pause SIGSTOPs each pod's mariadbd through its node's agent.
func (c *Cluster) Pause(ctx context.Context, runID string, pods []string) (injectors.Fault, error) {
	return c.agentFault(ctx, agent.KindPause, runID, pods, func(p corev1.Pod, r *agent.Request) {
		r.ID = requestID("pause", p.Name)
	})
}

// Latency holds every packet each pod sends for delay ± jitter, dropping
// loss percent of them, through its node's agent (the lab's NFQUEUE
// delayer inside the pod's network namespace); the agent proves it by the
// connect time to the pod before and during.
func (c *Cluster) Latency(ctx context.Context, runID string, pods []string, delay, jitter time.Duration, loss float64) (injectors.Fault, error) {
	return c.agentFault(ctx, agent.KindLatency, runID, pods, func(p corev1.Pod, r *agent.Request) {
		r.ID = requestID("latency", p.Name)
		r.Delay, r.Jitter, r.Loss = delay, jitter, loss
		r.Addr, r.Port = net.ParseIP(p.Status.PodIP).To4(), c.cfg.Port
	})
}

// Bandwidth limits each pod's traffic to rate bytes per second in
// direction (in, out, both) with the lab's token buckets: on the pod's
// interface and on its veth's node end, put there by its node's agent.
func (c *Cluster) Bandwidth(ctx context.Context, runID string, pods []string, rate uint64, direction string) (injectors.Fault, error) {
	return c.agentFault(ctx, agent.KindBandwidth, runID, pods, func(p corev1.Pod, r *agent.Request) {
		r.ID = requestID("bandwidth", p.Name)
		r.Rate, r.Direction = rate, direction
		r.Addr, r.Port = net.ParseIP(p.Status.PodIP).To4(), c.cfg.Port
	})
}

// DiskThrottle limits each pod's I/O on the disk of its data directory
// (agent.DefaultDataDir), written by its node's agent into the container's
// own cgroup; the agent proves it by timed direct writes from inside that
// cgroup (cgroup v1) and by reading the limits back.
func (c *Cluster) DiskThrottle(ctx context.Context, runID string, pods []string, l disk.Limits) (injectors.Fault, error) {
	return c.agentFault(ctx, agent.KindDiskThrottle, runID, pods, func(p corev1.Pod, r *agent.Request) {
		r.ID = requestID("diskThrottle", p.Name)
		r.Limits = l
	})
}

// ClockSkew steps each pod's clock by offset, and makes it drift by ppm
// from then on, through its libfaketime file written by its node's agent.
func (c *Cluster) ClockSkew(ctx context.Context, runID string, pods []string, offset time.Duration, ppm float64) (injectors.Fault, error) {
	return c.agentFault(ctx, agent.KindClockSkew, runID, pods, func(p corev1.Pod, r *agent.Request) {
		r.ID = requestID("clockSkew", p.Name)
		r.Offset, r.DriftPPM = offset, ppm
	})
}
