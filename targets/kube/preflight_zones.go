package kube

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Annotations that make a StorageClass the cluster default.
var defaultClassAnnotations = []string{"storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"}

// zoneSpreadRule: nothing spreads the members over zones, or the running
// pods sit in fewer zones than they could.
func (p *preflight) zoneSpreadRule() []Finding {
	var out []Finding
	spread := p.requiredAntiAffinity(ZoneLabel)
	for _, c := range p.sts.Spec.Template.Spec.TopologySpreadConstraints {
		spread = spread || c.TopologyKey == ZoneLabel && p.selects(c.LabelSelector)
	}
	if !spread {
		out = append(out, Finding{Object: p.obj, Field: "spec.template.spec.topologySpreadConstraints",
			Message: "no topologySpreadConstraints on " + ZoneLabel + " (nor required podAntiAffinity by zone): every member may land in one zone and a zone loss takes them all"})
	}
	zones := map[string]string{}
	for _, n := range p.Nodes {
		zones[n.Name] = n.Labels[ZoneLabel]
	}
	running := map[string]int{}
	for _, pod := range p.Pods {
		if z := zones[pod.Spec.NodeName]; z != "" && pod.DeletionTimestamp == nil {
			running[z]++
		}
	}
	schedulable := p.schedulableZones()
	if want := min(p.replicas, len(schedulable)); len(running) > 0 && len(running) < want {
		zs := slices.Sorted(maps.Keys(running))
		most := slices.MaxFunc(zs, func(a, b string) int { return running[a] - running[b] })
		out = append(out, Finding{Object: p.obj, Field: "pods[].spec.nodeName",
			Message: fmt.Sprintf("the running pods sit in %d zone(s) (%s) though schedulable nodes span %d (%s): losing zone %s takes %d members",
				len(zs), strings.Join(zs, ", "), len(schedulable), strings.Join(schedulable, ", "), most, running[most])})
	}
	return out
}

// schedulableZones are the zones of the nodes the pods could run on: not
// cordoned, every NoSchedule/NoExecute taint tolerated, the nodeSelector
// matched. Sorted.
func (p *preflight) schedulableZones() []string {
	spec := p.sts.Spec.Template.Spec
	set := map[string]bool{}
	for _, n := range p.Nodes {
		z := n.Labels[ZoneLabel]
		if z == "" || n.Spec.Unschedulable || !tolerated(n.Spec.Taints, spec.Tolerations) {
			continue
		}
		if labels.SelectorFromSet(spec.NodeSelector).Matches(labels.Set(n.Labels)) {
			set[z] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// tolerated says whether every scheduling taint is tolerated.
func tolerated(taints []corev1.Taint, tols []corev1.Toleration) bool {
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectPreferNoSchedule {
			continue
		}
		if !slices.ContainsFunc(tols, func(tol corev1.Toleration) bool { return tolerates(tol, t) }) {
			return false
		}
	}
	return true
}

// tolerates is the scheduler's match of one toleration and one taint.
func tolerates(tol corev1.Toleration, t corev1.Taint) bool {
	if tol.Effect != "" && tol.Effect != t.Effect || tol.Key != "" && tol.Key != t.Key {
		return false
	}
	switch tol.Operator {
	case corev1.TolerationOpExists:
		return true
	case "", corev1.TolerationOpEqual:
		return tol.Key != "" && tol.Value == t.Value
	}
	return false
}

// zoneTaintsRule: a hard zone spread that counts tainted and cordoned nodes
// as domains (nodeTaintsPolicy Ignore, the default): during a drain the
// emptied zone still counts, and the skew it makes blocks rescheduling.
func (p *preflight) zoneTaintsRule() []Finding {
	var out []Finding
	for i, c := range p.sts.Spec.Template.Spec.TopologySpreadConstraints {
		if c.TopologyKey != ZoneLabel || c.WhenUnsatisfiable == corev1.ScheduleAnyway {
			continue
		}
		if c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor {
			continue
		}
		out = append(out, Finding{Object: p.obj, Field: fmt.Sprintf("spec.template.spec.topologySpreadConstraints[%d].nodeTaintsPolicy", i),
			Message: "not Honor: cordoned and tainted nodes still count as zone domains, so during a drain the skew to the emptied zone blocks rescheduling the evicted members"})
	}
	return out
}

// storageRule: a class that pins the volumes (and so the members) to a zone
// when they are bound: Immediate binding picks the zone before the pod is
// scheduled; allowedTopologies naming one zone leaves no choice.
func (p *preflight) storageRule() []Finding {
	var out []Finding
	seen := map[string]bool{}
	for i, t := range p.sts.Spec.VolumeClaimTemplates {
		sc := p.storageClass(t.Spec.StorageClassName)
		if sc == nil || seen[sc.Name] {
			continue
		}
		seen[sc.Name] = true
		use := fmt.Sprintf("(%s volumeClaimTemplates[%d] %s)", p.obj, i, t.Name)
		obj := "storageclass/" + sc.Name
		if sc.VolumeBindingMode == nil || *sc.VolumeBindingMode == storagev1.VolumeBindingImmediate {
			out = append(out, Finding{Object: obj, Field: "volumeBindingMode",
				Message: "Immediate " + use + ": each volume's zone is chosen before its pod is scheduled, regardless of the spread, and the member is pinned there; use WaitForFirstConsumer"})
		}
		if z := allowedZones(sc.AllowedTopologies); len(z) == 1 {
			out = append(out, Finding{Object: obj, Field: "allowedTopologies",
				Message: "only zone " + z[0] + " " + use + ": every volume, so every member, is pinned to one zone"})
		}
	}
	return out
}

// storageClass is the class a claim names, or the cluster default when it
// names none (the newest of several, as the admission plugin picks); nil
// when it asks for no class ("") or the class is not there.
func (p *preflight) storageClass(name *string) *storagev1.StorageClass {
	var def *storagev1.StorageClass
	for i := range p.StorageClasses {
		sc := &p.StorageClasses[i]
		if name != nil && sc.Name == *name {
			return sc
		}
		if name == nil && isDefaultClass(sc) && (def == nil || def.CreationTimestamp.Before(&sc.CreationTimestamp)) {
			def = sc
		}
	}
	return def
}

func isDefaultClass(sc *storagev1.StorageClass) bool {
	return slices.ContainsFunc(defaultClassAnnotations, func(a string) bool { return sc.Annotations[a] == "true" })
}

// allowedZones are the distinct zones allowedTopologies names (by the
// well-known key, its beta name, or a provisioner's own …/zone key).
func allowedZones(ts []corev1.TopologySelectorTerm) []string {
	set := map[string]bool{}
	for _, t := range ts {
		for _, e := range t.MatchLabelExpressions {
			if e.Key == ZoneLabel || e.Key == "failure-domain.beta.kubernetes.io/zone" || strings.HasSuffix(e.Key, "/zone") {
				for _, v := range e.Values {
					set[v] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}
