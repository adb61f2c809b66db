package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"faultline.dev/faultline/agent"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/all"
	"faultline.dev/faultline/injectors/process"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

// KindKubernetes is the Kubernetes target kind.
const KindKubernetes = scenarios.TargetKubernetes

// Kube provides Kubernetes targets: it attaches to a StatefulSet through
// the kubeconfig context the scenario names (it never creates or deletes
// the cluster), runs the pre-flight on it, and applies faults through the
// API.
type Kube struct {
	// Strict refuses a target with pre-flight findings (else they are
	// warnings), or one the pre-flight cannot check.
	Strict bool
}

var _ targets.Provider = Kube{}

// Kind is "kubernetes".
func (Kube) Kind() string { return KindKubernetes }

// KubeConfig is the attach configuration of a scenario's Kubernetes target.
func KubeConfig(s *scenarios.Scenario) kube.Config {
	k := s.Spec.Target.Kubernetes
	return kube.Config{Kubeconfig: k.Kubeconfig, Context: k.Context, Namespace: k.Namespace, StatefulSet: k.StatefulSet,
		Selector: k.Selector, Topology: k.Topology, Port: k.Port, CredentialsSecret: k.CredentialsSecret}
}

// Open attaches to the scenario's StatefulSet, runs the pre-flight (its
// findings logged as warnings; refused when Strict) and waits until the
// StatefulSet is healthy.
func (k Kube) Open(ctx context.Context, s *scenarios.Scenario, o targets.OpenOptions) (targets.Session, error) {
	if s.Spec.Target.Kubernetes == nil {
		return nil, fmt.Errorf("kubernetes provider: the scenario has no kubernetes target")
	}
	cfg := KubeConfig(s)
	cfg.Logf = o.Logf
	c, err := kube.Attach(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := preflightGate(ctx, c, k.Strict, o); err != nil {
		c.Close()
		return nil, err
	}
	logf(o, "%s: attached, %d pods; waiting until healthy", c.Name(), len(c.Nodes()))
	if err := c.WaitHealthy(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return &kubeSession{Cluster: c}, nil
}

// preflighter is what the pre-flight gate needs of a cluster.
type preflighter interface {
	Name() string
	Preflight(ctx context.Context) ([]kube.Finding, error)
}

// preflightGate logs every pre-flight finding as a warning and, when
// strict, refuses a target with findings or one it could not check.
func preflightGate(ctx context.Context, c preflighter, strict bool, o targets.OpenOptions) error {
	fs, err := c.Preflight(ctx)
	if err != nil {
		if strict {
			return fmt.Errorf("%s: strict pre-flight: %w", c.Name(), err)
		}
		logf(o, "warning: %s: pre-flight not run: %v", c.Name(), err)
		return nil
	}
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.String()
		logf(o, "warning: pre-flight: %s", f)
	}
	if strict && len(fs) > 0 {
		return fmt.Errorf("%s: pre-flight found %d problem(s); strict refuses to run until they are fixed:\n  %s",
			c.Name(), len(fs), strings.Join(lines, "\n  "))
	}
	return nil
}

// Faults is every kind applied through the Kubernetes API.
func (Kube) Faults(string) *targets.Registry {
	r := targets.NewRegistry(kube.Registry())
	r.Register(kube.ZoneOutageKind())
	return r
}

type kubeSession struct{ *kube.Cluster }

var _ targets.Session = (*kubeSession)(nil)

func (k *kubeSession) Ref() targets.Ref {
	cfg := k.Config()
	return targets.Ref{Kind: KindKubernetes, Name: k.Name(),
		Attrs: map[string]string{"kubeconfig": cfg.Kubeconfig, "context": cfg.Context, "namespace": cfg.Namespace}}
}

func (k *kubeSession) BuildFault(ctx context.Context, st targets.Step) (injectors.Fault, error) {
	switch st.Kind {
	case kube.KindPodKill:
		if len(st.Nodes) == 0 {
			return nil, fmt.Errorf("podKill on %s: no pod selected", k.Name())
		}
		return k.PodKill(st.Nodes), nil
	case kube.KindAZDrain:
		var p scenarios.AZDrain
		if err := json.Unmarshal(st.Params, &p); err != nil || p.Zone == "" {
			return nil, fmt.Errorf("azDrain on %s: params %s: want a zone (%v)", k.Name(), st.Params, err)
		}
		return k.AZDrain(p.Zone, st.RunID), nil
	case kube.KindRollingRestart:
		return k.RollingRestart()
	case process.KindPromote:
		if len(st.Nodes) != 1 {
			return nil, fmt.Errorf("promote on %s: select exactly one pod, have %v", k.Name(), st.Nodes)
		}
		return process.NewPromote(st.RunID, k.Name(), k.Cluster, st.Nodes[0]), nil
	case agent.KindPartition:
		var p scenarios.Partition
		if err := json.Unmarshal(st.Params, &p); err != nil {
			return nil, fmt.Errorf("partition on %s: params %s: %w", k.Name(), st.Params, err)
		}
		return k.Partition(ctx, st.RunID, p.Shape, p.Groups, st.Nodes)
	case agent.KindPause:
		return k.Pause(ctx, st.RunID, st.Nodes)
	case agent.KindClockSkew:
		var p scenarios.ClockSkew
		if err := json.Unmarshal(st.Params, &p); err != nil {
			return nil, fmt.Errorf("clockSkew on %s: params %s: %w", k.Name(), st.Params, err)
		}
		return k.ClockSkew(ctx, st.RunID, st.Nodes, p.Offset.D(), p.Drift.PPM())
	case agent.KindLatency:
		var p scenarios.Latency
		if err := json.Unmarshal(st.Params, &p); err != nil {
			return nil, fmt.Errorf("latency on %s: params %s: %w", k.Name(), st.Params, err)
		}
		return k.Latency(ctx, st.RunID, st.Nodes, p.Delay.D(), p.Jitter.D(), p.Loss)
	case agent.KindBandwidth:
		var p scenarios.Bandwidth
		if err := json.Unmarshal(st.Params, &p); err != nil {
			return nil, fmt.Errorf("bandwidth on %s: params %s: %w", k.Name(), st.Params, err)
		}
		return k.Bandwidth(ctx, st.RunID, st.Nodes, uint64(p.Rate), p.Direction)
	case agent.KindDiskThrottle:
		var p scenarios.DiskThrottle
		if err := json.Unmarshal(st.Params, &p); err != nil {
			return nil, fmt.Errorf("diskThrottle on %s: params %s: %w", k.Name(), st.Params, err)
		}
		return k.DiskThrottle(ctx, st.RunID, st.Nodes, all.DiskLimits(p))
	}
	return nil, fmt.Errorf("%s cannot be injected on a kubernetes target", st.Kind)
}

func (k *kubeSession) Leftovers(ctx context.Context, runID string) ([]string, error) {
	left, err := kube.CordonLeftovers(ctx, k.Client(), runID)
	if err != nil {
		return left, err
	}
	frozen, err := kube.FrozenNodes(ctx, k.Client())
	for _, f := range frozen {
		left = append(left, "node container "+f+" frozen")
	}
	rules, aerr := k.AgentLeftovers(ctx, runID)
	return append(left, rules...), errors.Join(err, aerr)
}

// CollectLogs writes every database pod's log (and its previous
// container's, when it restarted) into dir.
func (k *kubeSession) CollectLogs(ctx context.Context, dir string) error {
	pods, err := k.Pods(ctx)
	if err != nil {
		return err
	}
	for _, p := range pods {
		for _, prev := range []bool{false, true} {
			name := p.Name + ".log"
			if prev {
				name = p.Name + ".previous.log"
			}
			if err := podLog(ctx, k, p, prev, filepath.Join(dir, name)); err != nil && !prev {
				return err
			}
		}
	}
	return nil
}

func podLog(ctx context.Context, k *kubeSession, p corev1.Pod, previous bool, file string) error {
	rc, err := k.Client().CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{Previous: previous}).Stream(ctx)
	if err != nil {
		return fmt.Errorf("log of %s: %w", p.Name, err)
	}
	defer rc.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, rc)
	return err
}

func (k *kubeSession) Versions(ctx context.Context) targets.Versions {
	return targets.AskVersions(ctx, k.Nodes())
}

// Close detaches: the cluster is not faultline's to tear down.
func (k *kubeSession) Close(context.Context, bool) (string, error) {
	k.Cluster.Close()
	return "", nil
}
