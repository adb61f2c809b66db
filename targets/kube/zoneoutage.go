package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// KindZoneOutage makes every node of a zone stop answering: on kind, its
// node containers are frozen (docker pause), so the kubelets go silent, the
// control plane marks the nodes NotReady, and the pods on them are neither
// running nor gone — the StatefulSet's at-most-one semantics keep them
// until the heal (docker unpause). Elsewhere (or with via: agent) each
// node's agent drops everything but loopback in the node's network
// namespace for the step's duration and heals it by itself when that lease
// ends (agentzone.go).
const KindZoneOutage = "zoneOutage"

// ZoneOutageKind is the kind's registration in the Kubernetes provider.
func ZoneOutageKind() targets.Kind {
	return targets.Kind{
		Spelling: scenarios.Spell(scenarios.KindSpec{Name: KindZoneOutage, Family: scenarios.FamilyProcess}, zoneOutageRules),
		Life:     injectors.Lifecycle{Proof: "every node container of the zone frozen (kind); through the agents: every node of the zone NotReady"},
		Build:    buildZoneOutage,
		Rebuild:  rebuildZoneOutage,
	}
}

// zoneOutageSpec is how a step spells the kind: zoneOutage: {zone: b}.
type zoneOutageSpec struct {
	Zone string `json:"zone" yaml:"zone"`
	// Via is how: kind (freeze the node containers) or agent (the node
	// agents silence their nodes); "" = kind when every node of the zone
	// is a kind node, else agent.
	Via string `json:"via,omitempty" yaml:"via,omitempty"`
}

// How a zone outage is carried out.
const (
	ViaKind  = "kind"
	ViaAgent = "agent"
)

func zoneOutageRules(p *zoneOutageSpec, r scenarios.Rules) {
	if p.Zone == "" {
		r.Errorf("zone", "missing zone; expected the value of topology.kubernetes.io/zone of the nodes to take down")
	}
	if p.Via != "" && p.Via != ViaKind && p.Via != ViaAgent {
		r.Errorf("via", "unknown via %q; expected kind (freeze kind's node containers) or agent (the node agents silence their nodes)", p.Via)
	}
	if p.Via == ViaAgent && !r.Lasts() {
		r.Errorf("via", "a zone outage through the node agents lasts the step's for (each agent heals its silent node by itself when it ends); expected a for on this step")
	}
}

// zoneOutageParams are the ledger's: the containers to thaw.
type zoneOutageParams struct {
	Zone       string   `json:"zone"`
	Containers []string `json:"containers"` // kind node containers (docker names)
}

type zoneOutage struct{ p zoneOutageParams }

// kubeSession is what the builder needs of the session.
type kubeSession interface {
	Client() kubernetes.Interface
}

func buildZoneOutage(ctx context.Context, s targets.Session, st targets.Step) (injectors.Fault, error) {
	var spec zoneOutageSpec
	if err := json.Unmarshal(st.Params, &spec); err != nil {
		return nil, fmt.Errorf("zoneOutage params: %w", err)
	}
	ks, ok := s.(kubeSession)
	if !ok {
		return nil, fmt.Errorf("zoneOutage: %s is not a Kubernetes target", s.Name())
	}
	list, err := ks.Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: ZoneLabel + "=" + spec.Zone})
	if err != nil {
		return nil, fmt.Errorf("zoneOutage zone %s: %w", spec.Zone, err)
	}
	if spec.Via == ViaKind || spec.Via == "" && allKind(list.Items) {
		return newZoneOutage(spec.Zone, list.Items)
	}
	as, ok := s.(interface {
		AgentZoneOutage(ctx context.Context, runID, zone string, nodes []string, lease time.Duration) (injectors.Fault, error)
	})
	if !ok {
		return nil, fmt.Errorf("zoneOutage: %s has no node agents", s.Name())
	}
	var names []string
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	return as.AgentZoneOutage(ctx, st.RunID, spec.Zone, names, st.For)
}

// allKind reports whether every node is a kind node.
func allKind(nodes []corev1.Node) bool {
	for _, n := range nodes {
		if !strings.HasPrefix(n.Spec.ProviderID, "kind://") {
			return false
		}
	}
	return true
}

// newZoneOutage finds the kind node containers of a zone's nodes.
func newZoneOutage(zone string, nodes []corev1.Node) (*zoneOutage, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("zoneOutage zone %s: no node carries %s=%s", zone, ZoneLabel, zone)
	}
	p := zoneOutageParams{Zone: zone}
	for _, n := range nodes {
		// kind nodes: providerID kind://docker/<cluster>/<container>
		rest, ok := strings.CutPrefix(n.Spec.ProviderID, "kind://docker/")
		_, container, found := strings.Cut(rest, "/")
		if !ok || !found || container == "" {
			return nil, fmt.Errorf("zoneOutage zone %s: node %s is not a kind node (providerID %q); elsewhere a zone outage needs the node agent",
				zone, n.Name, n.Spec.ProviderID)
		}
		p.Containers = append(p.Containers, container)
	}
	return &zoneOutage{p: p}, nil
}

func rebuildZoneOutage(raw json.RawMessage) (injectors.Fault, error) {
	var through struct{ Parts []json.RawMessage }
	if json.Unmarshal(raw, &through) == nil && len(through.Parts) > 0 {
		return rebuildAgentZone(raw)
	}
	var p zoneOutageParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("zoneOutage ledger params: %w", err)
	}
	return &zoneOutage{p: p}, nil
}

func (f *zoneOutage) Kind() string { return KindZoneOutage }

func (f *zoneOutage) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

func (f *zoneOutage) Inject(ctx context.Context) error {
	for _, c := range f.p.Containers {
		if paused, err := containerPaused(ctx, c); err == nil && paused {
			continue
		}
		if err := docker(ctx, "pause", c); err != nil {
			return fmt.Errorf("zoneOutage zone %s: %w", f.p.Zone, err)
		}
	}
	return nil
}

// Recover thaws every container of the zone. Idempotent.
func (f *zoneOutage) Recover(ctx context.Context) error {
	for _, c := range f.p.Containers {
		paused, err := containerPaused(ctx, c)
		if err != nil {
			return fmt.Errorf("zoneOutage zone %s: %w", f.p.Zone, err)
		}
		if paused {
			if err := docker(ctx, "unpause", c); err != nil {
				return fmt.Errorf("zoneOutage zone %s: %w", f.p.Zone, err)
			}
		}
	}
	return nil
}

// Verify shows every node container of the zone frozen.
func (f *zoneOutage) Verify(ctx context.Context) (injectors.Evidence, error) {
	var running []string
	for _, c := range f.p.Containers {
		paused, err := containerPaused(ctx, c)
		if err != nil {
			return injectors.Evidence{}, err
		}
		if !paused {
			running = append(running, c)
		}
	}
	if len(running) > 0 {
		return injectors.Evidence{Summary: fmt.Sprintf("zone %s: containers not frozen: %v", f.p.Zone, running)}, nil
	}
	return injectors.Evidence{Held: true, Summary: fmt.Sprintf("zone %s: node containers %v frozen; their kubelets are silent", f.p.Zone, f.p.Containers)}, nil
}

func containerPaused(ctx context.Context, name string) (bool, error) {
	out, err := exec.CommandContext(ctx, "docker", "inspect", "--format", "{{.State.Paused}}", name).CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("docker inspect %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)) == "true", nil
}

func docker(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// FrozenNodes lists the kind nodes of the cluster whose containers are
// frozen (a zone outage in effect, or left by a harness that died).
func FrozenNodes(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	var out []string
	for _, n := range list.Items {
		f, err := newZoneOutage(n.Labels[ZoneLabel], []corev1.Node{n})
		if err != nil {
			continue // not a kind node
		}
		if paused, err := containerPaused(ctx, f.p.Containers[0]); err == nil && paused {
			out = append(out, f.p.Containers[0])
		}
	}
	return out, nil
}

// ThawNodes unfreezes every frozen kind node container of the cluster —
// what `faultline recover --context` does after a harness crash — and
// returns them.
func ThawNodes(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	frozen, err := FrozenNodes(ctx, cs)
	if err != nil {
		return nil, err
	}
	for i, c := range frozen {
		if err := docker(ctx, "unpause", c); err != nil {
			return frozen[:i], err
		}
	}
	return frozen, nil
}
