package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// Roles a selector may name.
const (
	RolePrimary  = "primary"
	RoleReplicas = "replicas"
	RoleMinority = "minority"
	RoleMajority = "majority"
)

// scope is what a scenario's target lets selectors name. For a Kubernetes
// target nodes and zones are unknown until it is attached (nil).
type scope struct {
	topology string
	nodes    []string
	zones    map[string][]string // zone → nodes in it
}

func scopeOf(s *Scenario) scope {
	t := s.Spec.Target
	switch {
	case t.Local != nil && t.Kubernetes == nil:
		l := t.Local
		if l.Nodes < 1 || l.Nodes > MaxNodes {
			return scope{topology: l.Topology}
		}
		sc := scope{topology: l.Topology, nodes: NodeNames(l.Nodes), zones: map[string][]string{}}
		zones := l.Zones
		if len(zones) != l.Nodes {
			zones = DefaultZones(l.Nodes)
		}
		for i, z := range zones {
			sc.zones[z] = append(sc.zones[z], sc.nodes[i])
		}
		return sc
	case t.Kubernetes != nil && t.Local == nil:
		return scope{topology: t.Kubernetes.Topology}
	}
	return scope{}
}

// known reports whether node names are known statically.
func (sc scope) known() bool { return sc.nodes != nil }

func (sc scope) isNode(n string) bool { return !sc.known() || slices.Contains(sc.nodes, n) }

func (sc scope) zoneNames() []string {
	var zs []string
	for z := range sc.zones {
		zs = append(zs, z)
	}
	slices.Sort(zs)
	return zs
}

// roleSize is how many nodes a role holds on a static target (-1 = unknown).
func (sc scope) roleSize(role string) int {
	n := len(sc.nodes)
	if !sc.known() {
		return -1
	}
	switch role {
	case RolePrimary:
		return 1
	case RoleReplicas:
		return n - 1
	case RoleMinority:
		return (n - 1) / 2
	case RoleMajority:
		return n/2 + 1
	}
	return -1
}

// candidates are the nodes a selector may resolve to; any is true when it
// may resolve to any node (roles are resolved when the step fires; unknown
// targets). An empty selector means all nodes.
func (sc scope) candidates(sel Selector) (nodes []string, any bool) {
	switch {
	case len(sel.Nodes) > 0:
		return slices.Clone(sel.Nodes), false
	case sel.Zone != "" && sc.known():
		return slices.Clone(sc.zones[sel.Zone]), false
	case sel.Zone != "" || sel.Role != "":
		return slices.Clone(sc.nodes), true
	}
	return slices.Clone(sc.nodes), !sc.known()
}

// String describes a selector for people: "nodes n1,n2", "zone b",
// "role minority", "random 1 of role replicas", "all nodes".
func (sel Selector) String() string {
	base := "all nodes"
	switch {
	case len(sel.Nodes) > 0:
		base = "nodes " + strings.Join(sel.Nodes, ",")
	case sel.Zone != "":
		base = "zone " + sel.Zone
	case sel.Role != "":
		base = "role " + sel.Role
	}
	if sel.Random > 0 {
		return fmt.Sprintf("random %d of %s", sel.Random, base)
	}
	return base
}

// IsZero reports an empty selector.
func (sel Selector) IsZero() bool {
	return len(sel.Nodes) == 0 && sel.Zone == "" && sel.Role == "" && sel.Random == 0
}

// selector validates a step's selector and returns how many nodes it can
// resolve to at most (-1 = unknown).
func (v *validator) selector(path string, sel Selector) int {
	sc := v.scope
	set := 0
	for _, b := range []bool{len(sel.Nodes) > 0, sel.Zone != "", sel.Role != ""} {
		if b {
			set++
		}
	}
	if set > 1 {
		v.errorf(path, "selector names %d of nodes, zone, role; expected at most one (random narrows any of them)", set)
		return -1
	}
	size := len(sc.nodes)
	if !sc.known() {
		size = -1
	}
	switch {
	case len(sel.Nodes) > 0:
		size = v.selNodes(join(path, "nodes"), sel.Nodes)
	case sel.Zone != "":
		size = v.selZone(join(path, "zone"), sel.Zone)
	case sel.Role != "":
		size = v.selRole(join(path, "role"), sel.Role)
	}
	return v.selRandom(join(path, "random"), sel.Random, size)
}

func (v *validator) selNodes(path string, nodes []string) int {
	seen := map[string]bool{}
	for i, n := range nodes {
		switch {
		case !v.scope.isNode(n):
			v.errorf(index(path, i), "unknown node %q; expected one of %s", n, strings.Join(v.scope.nodes, ", "))
		case seen[n]:
			v.errorf(index(path, i), "node %q listed twice; expected each node once", n)
		case n == "":
			v.errorf(index(path, i), "empty node name; expected a node name")
		}
		seen[n] = true
	}
	return len(seen)
}

func (v *validator) selZone(path, zone string) int {
	if !v.scope.known() {
		return -1
	}
	n, ok := v.scope.zones[zone]
	if !ok {
		v.errorf(path, "unknown zone %q; expected one of %s", zone, strings.Join(v.scope.zoneNames(), ", "))
		return 0
	}
	return len(n)
}

func (v *validator) selRole(path, role string) int {
	switch role {
	case RoleMinority, RoleMajority:
	case RolePrimary, RoleReplicas:
		if v.scope.topology == TopologyGalera {
			v.errorf(path, "role %s on a galera topology (every node is a primary there); expected minority or majority", role)
			return -1
		}
	default:
		v.errorf(path, "unknown role %q; expected %s", role, oneOf(RolePrimary, RoleReplicas, RoleMinority, RoleMajority))
		return -1
	}
	size := v.scope.roleSize(role)
	switch n := len(v.scope.nodes); {
	case size == 0:
		v.errorf(path, "role %s is empty with %d nodes; expected a role that holds a node", role, n)
	case role == RoleMajority && v.scope.known() && n < 3:
		// the selector draws the minority first and the majority is the rest
		v.errorf(path, "role majority with %d nodes: the majority is the nodes a minority leaves, and %d nodes have no minority; expected at least 3 nodes, or nodes: [...]", n, n)
		return -1
	}
	return size
}

func (v *validator) selRandom(path string, random, size int) int {
	switch {
	case random == 0 && !v.has(path):
		return size
	case random < 1:
		v.errorf(path, "random %d; expected at least 1", random)
	case size >= 0 && random > size:
		v.errorf(path, "random %d of %d candidate nodes; expected at most %d", random, size, size)
	default:
		return random
	}
	return size
}
