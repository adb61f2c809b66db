package scenarios

import (
	"fmt"
	"net/netip"
	"regexp"
)

// Validate checks a decoded scenario's meaning: required fields, ranges,
// selectors against the target's nodes and zones, what each target kind can
// do, and overlapping faults. Errors carry the position of the offending
// field when the scenario came from a file. It does not look at the host.
func Validate(s *Scenario) error {
	v := &validator{s: s, scope: scopeOf(s)}
	v.header()
	v.target()
	v.workload()
	v.steps()
	v.conflicts()
	v.verify()
	v.abort()
	v.backupDrill()
	return v.errs.Err()
}

// validator collects the semantic errors of one scenario.
type validator struct {
	s     *Scenario
	scope scope
	errs  ErrorList
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, &Error{
		File: v.s.Source, Pos: v.s.pos.lookup(path), Path: path,
		Msg: fmt.Sprintf(format, args...),
	})
}

// has reports whether path was written in the file.
func (v *validator) has(path string) bool {
	_, ok := v.s.pos[path]
	return ok
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func (v *validator) header() {
	s := v.s
	switch {
	case s.APIVersion == "":
		v.errorf("apiVersion", "missing apiVersion; expected %s", APIVersion)
	case s.APIVersion != APIVersion:
		v.errorf("apiVersion", "unsupported apiVersion %q; expected %s", s.APIVersion, APIVersion)
	}
	switch {
	case s.Kind == "":
		v.errorf("kind", "missing kind; expected %s", KindName)
	case s.Kind != KindName:
		v.errorf("kind", "kind %q; expected %s", s.Kind, KindName)
	}
	name := s.Metadata.Name
	switch {
	case name == "":
		v.errorf("metadata.name", "missing metadata.name; expected a DNS-1123 label like galera-partition")
	case len(name) > 63 || !dns1123Label.MatchString(name):
		v.errorf("metadata.name", "%q is not a DNS-1123 label; expected at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
}

func (v *validator) target() {
	t := v.s.Spec.Target
	switch {
	case t.Local == nil && t.Kubernetes == nil:
		v.errorf("spec.target", "missing target; expected exactly one of local, kubernetes")
	case t.Local != nil && t.Kubernetes != nil:
		v.errorf("spec.target.kubernetes", "both local and kubernetes targets given; expected exactly one")
	case t.Local != nil:
		v.local(t.Local)
	default:
		v.kubernetes(t.Kubernetes)
	}
}

func (v *validator) local(l *LocalTarget) {
	const p = "spec.target.local"
	v.topology(join(p, "topology"), l.Topology, true)
	switch {
	case l.Nodes == 0 && !v.has(join(p, "nodes")):
		v.errorf(join(p, "nodes"), "missing nodes; expected a node count 1..%d", MaxNodes)
	case l.Nodes < 1 || l.Nodes > MaxNodes:
		v.errorf(join(p, "nodes"), "%d nodes; expected 1..%d", l.Nodes, MaxNodes)
	}
	if l.Zones != nil && len(l.Zones) != l.Nodes {
		v.errorf(join(p, "zones"), "%d zones for %d nodes; expected one zone per node, in node order", len(l.Zones), l.Nodes)
	}
	for i, z := range l.Zones {
		if !dns1123Label.MatchString(z) {
			v.errorf(index(join(p, "zones"), i), "zone %q; expected a short lowercase name like a or eu-west-1a", z)
		}
	}
	if l.Name != "" && (len(l.Name) > MaxLabName || !dns1123Label.MatchString(l.Name)) {
		v.errorf(join(p, "name"), "lab name %q; expected at most %d lowercase letters, digits and '-' (it prefixes interface names)", l.Name, MaxLabName)
	}
	if l.Subnet != "" {
		v.subnet(join(p, "subnet"), l.Subnet)
	}
	for node := range l.NodeOptions {
		if !v.scope.isNode(node) {
			v.errorf(join(join(p, "nodeOptions"), node), "unknown node %q; expected one of %v", node, v.scope.nodes)
		}
	}
	v.serverOptions(p, l)
	if v.scope.known() {
		v.connections(l, &v.s.Spec.Workload)
	}
	switch l.Topology {
	case TopologyGalera:
		v.galeraOnly(l)
		v.providerOptions(join(p, "providerOptions"), l.ProviderOptions)
	case TopologyReplication:
		if p := join(p, "providerOptions"); v.has(p) {
			v.errorf(p, "providerOptions are Galera settings; expected them only with topology: galera")
		}
	}
	if v.has(join(p, "semiSyncTimeout")) && l.SemiSyncTimeout <= 0 {
		v.errorf(join(p, "semiSyncTimeout"), "semiSyncTimeout %s; expected a duration > 0", l.SemiSyncTimeout)
	}
	if v.has(join(p, "diskSize")) && l.DiskSize < 64<<20 {
		v.errorf(join(p, "diskSize"), "diskSize %s; expected at least 64MiB", l.DiskSize)
	}
}

// galeraOnly rejects replication settings on a galera lab.
func (v *validator) galeraOnly(l *LocalTarget) {
	for _, f := range []string{"semiSync", "semiSyncTimeout"} {
		if p := "spec.target.local." + f; v.has(p) {
			v.errorf(p, "%s applies to replication topologies; expected it only with topology: replication", f)
		}
	}
}

// labSupernet holds every lab address.
var labSupernet = netip.MustParsePrefix("198.18.0.0/15")

func (v *validator) subnet(path, s string) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil:
		v.errorf(path, "%q is not a CIDR prefix; expected a /24 inside %s like 198.18.7.0/24", s, labSupernet)
	case p.Bits() != 24 || !p.Addr().Is4():
		v.errorf(path, "subnet %s is not a /24; expected a /24 inside %s like 198.18.7.0/24", s, labSupernet)
	case p.Masked() != p:
		v.errorf(path, "subnet %s has host bits set; expected %s", s, p.Masked())
	case !labSupernet.Contains(p.Addr()):
		v.errorf(path, "subnet %s is outside the lab range; expected a /24 inside %s", s, labSupernet)
	}
}

func (v *validator) topology(path, t string, required bool) {
	switch {
	case t == "" && required:
		v.errorf(path, "missing topology; expected %s or %s", TopologyGalera, TopologyReplication)
	case t != "" && t != TopologyGalera && t != TopologyReplication:
		v.errorf(path, "unknown topology %q; expected %s or %s", t, TopologyGalera, TopologyReplication)
	}
}

func (v *validator) kubernetes(k *KubeTarget) {
	const p = "spec.target.kubernetes"
	switch {
	case k.Namespace == "":
		v.errorf(join(p, "namespace"), "missing namespace; expected the namespace of the StatefulSet (labelled faultline.dev/chaos=allowed)")
	case k.Namespace == "kube-system" || k.Namespace == "kube-public" || k.Namespace == "kube-node-lease":
		v.errorf(join(p, "namespace"), "namespace %s is never a chaos target; expected an application namespace", k.Namespace)
	case !dns1123Label.MatchString(k.Namespace):
		v.errorf(join(p, "namespace"), "%q is not a namespace name; expected a DNS-1123 label", k.Namespace)
	}
	if k.StatefulSet == "" && k.Selector == "" {
		v.errorf(p, "missing statefulSet; expected statefulSet or selector to find the database pods")
	}
	v.topology(join(p, "topology"), k.Topology, false)
	if k.Port < 0 || k.Port > 65535 {
		v.errorf(join(p, "port"), "port %d; expected 1..65535", k.Port)
	}
}
