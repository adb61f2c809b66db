package kube

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// replicaRule: a member count that has no quorum to lose.
func (p *preflight) replicaRule() []Finding {
	f := func(msg string, a ...any) []Finding {
		return []Finding{{Object: p.obj, Field: "spec.replicas", Message: fmt.Sprintf(msg, a...)}}
	}
	switch {
	case p.Topology != "galera":
		if p.replicas < 2 {
			return f("%d replica: replication needs a replica to fail over to", p.replicas)
		}
	case p.replicas < 3:
		return f("%d replicas: Galera needs at least 3 to keep a Primary component when one member is lost", p.replicas)
	case p.replicas%2 == 0:
		return f("%d replicas: an even count lets a 50/50 split leave no Primary component; use an odd count", p.replicas)
	}
	return nil
}

// pdbRule: no PodDisruptionBudget (a drain may evict several members at
// once), several (the eviction API refuses pods covered twice), or one that
// lets the quorum go.
func (p *preflight) pdbRule() []Finding {
	var out []Finding
	var names []string
	for _, b := range p.PDBs {
		if !p.sameNamespace(b.Namespace) || !p.selects(b.Spec.Selector) {
			continue
		}
		names = append(names, b.Name)
		out = append(out, p.pdbQuorum(b)...)
	}
	switch {
	case len(names) == 0:
		out = append(out, Finding{Object: p.obj, Field: "spec.template.metadata.labels",
			Message: "no PodDisruptionBudget selects the pods: a node drain may evict several members at once"})
	case len(names) > 1:
		out = append(out, Finding{Object: p.obj, Field: "spec.template.metadata.labels",
			Message: fmt.Sprintf("%d PodDisruptionBudgets select the pods (%s): the eviction API refuses to evict a pod more than one covers, so a drain stalls",
				len(names), strings.Join(names, ", "))})
	}
	return out
}

// pdbQuorum resolves the budget as the disruption controller does (a
// percentage of the StatefulSet's replicas, rounded up, for either field)
// and reports one that lets more members go than the quorum can lose.
func (p *preflight) pdbQuorum(b policyv1.PodDisruptionBudget) []Finding {
	obj, n, q := "poddisruptionbudget/"+b.Name, p.replicas, p.quorum
	field, v := "spec.minAvailable", b.Spec.MinAvailable
	if b.Spec.MaxUnavailable != nil {
		field, v = "spec.maxUnavailable", b.Spec.MaxUnavailable
	}
	if v == nil {
		return nil
	}
	scaled, err := intstr.GetScaledValueFromIntOrPercent(v, n, true)
	if err != nil {
		return []Finding{{Object: obj, Field: field, Message: fmt.Sprintf("unreadable: %v", err)}}
	}
	keeps := scaled
	if field == "spec.maxUnavailable" {
		keeps = n - scaled
	}
	if keeps >= q {
		return nil
	}
	how := ""
	if v.Type == intstr.String {
		how = fmt.Sprintf(" (%s rounds up to %d, as the disruption controller does)", v.String(), scaled)
	}
	return []Finding{{Object: obj, Field: field, Message: fmt.Sprintf(
		"%s of %d replicas leaves %d running during a drain%s: fewer than the quorum of %d, a majority, so a drain alone can take the cluster down",
		v.String(), n, max(keeps, 0), how, q)}}
}

// hostSpreadRule: nothing keeps two members off one node.
func (p *preflight) hostSpreadRule() []Finding {
	if p.requiredAntiAffinity(HostnameLabel) {
		return nil
	}
	return []Finding{{Object: p.obj, Field: "spec.template.spec.affinity",
		Message: "no required podAntiAffinity by " + HostnameLabel + ": two members can land on one node and die together"}}
}

// readinessRule: the database container has no readinessProbe.
func (p *preflight) readinessRule() []Finding {
	cs := p.sts.Spec.Template.Spec.Containers
	i := databaseContainer(cs)
	if i < 0 || cs[i].ReadinessProbe != nil {
		return nil
	}
	return []Finding{{Object: p.obj, Field: fmt.Sprintf("spec.template.spec.containers[%d].readinessProbe", i),
		Message: fmt.Sprintf("the database container %s has no readinessProbe: a member still joining (or out of the Primary component) counts as ready, so a rolling update and the PodDisruptionBudget move on without it", cs[i].Name)}}
}

// databaseContainer is the index of the container serving SQL: the one
// exposing port 3306 (or a port named mysql), else the one named like the
// server, else the first; -1 when there is none.
func databaseContainer(cs []corev1.Container) int {
	for i, c := range cs {
		for _, port := range c.Ports {
			if port.ContainerPort == 3306 || port.Name == "mysql" {
				return i
			}
		}
	}
	for i, c := range cs {
		if slices.ContainsFunc([]string{"mariadb", "mysql", "galera"}, func(s string) bool { return strings.Contains(c.Name, s) }) {
			return i
		}
	}
	if len(cs) == 0 {
		return -1
	}
	return 0
}

// serviceRule: the governing Service must exist, be headless and select
// the pods, or the members have no stable DNS names to find each other by.
func (p *preflight) serviceRule() []Finding {
	name := p.sts.Spec.ServiceName
	f := func(msg string, a ...any) []Finding {
		return []Finding{{Object: p.obj, Field: "spec.serviceName", Message: fmt.Sprintf(msg, a...)}}
	}
	if name == "" {
		return f("no governing Service: the pods get no stable DNS names, so members cannot find each other by name after a restart")
	}
	for _, s := range p.Services {
		if s.Name != name || !p.sameNamespace(s.Namespace) {
			continue
		}
		switch {
		case s.Spec.ClusterIP != corev1.ClusterIPNone:
			return f("Service %s is not headless (clusterIP: None): the pods get no per-pod DNS records", name)
		case len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(p.own):
			return f("Service %s does not select the pods: they get no per-pod DNS records", name)
		}
		return nil
	}
	return f("Service %s not found: the pods get no stable DNS names, so members cannot find each other by name after a restart", name)
}
