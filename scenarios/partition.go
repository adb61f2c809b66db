package scenarios

import (
	"slices"
	"strings"
)

var shapes = []string{ShapeIsolate, ShapeHalves, ShapeMajorityMinor, ShapeMajoritiesRing,
	ShapeBridge, ShapeOneWay, ShapeGroups}

// PartitionShapes lists every partition shape.
func PartitionShapes() []string { return slices.Clone(shapes) }

// PartitionMinNodes is how many nodes the target needs for a partition of
// shape. It mirrors what the partition planner (injectors/network) can
// cut, so that validation refuses what the planner would refuse when the
// step fires: two sides need two nodes; majority-minority needs a
// non-empty minority (3); a bridge needs two sides and the bridge node
// (3); majorities-ring needs each node to see a majority that no other
// node sees, which three nodes on a ring cannot (4).
func PartitionMinNodes(shape string) int {
	switch shape {
	case ShapeMajorityMinor, ShapeBridge:
		return 3
	case ShapeMajoritiesRing:
		return 4
	}
	return 2
}

// partition checks a partition's shape against its selector and the
// target's nodes: isolate and one-way cut the selected nodes (select
// required; one-way must leave a node on the other side); majority-minority
// puts the selected nodes, if any, in the minority; halves, majorities-ring
// and bridge split all nodes; groups names every node once (no select).
func (v *validator) partition(p, sp string, pt *Partition, sel Selector) {
	n := len(v.scope.nodes)
	if v.scope.known() && n < 2 {
		v.errorf(p, "a partition needs at least 2 nodes, target has %d", n)
	} else if need := PartitionMinNodes(pt.Shape); v.scope.known() && n < need {
		v.errorf(join(p, "shape"), "shape %s needs at least %d nodes, target has %d", pt.Shape, need, n)
	}
	if pt.Shape != ShapeGroups && len(pt.Groups) > 0 {
		v.errorf(join(p, "groups"), "groups given with shape %q; expected groups only with shape: groups", pt.Shape)
	}
	switch pt.Shape {
	case ShapeIsolate, ShapeOneWay, ShapeMajorityMinor:
		v.cutSelection(sp, pt.Shape, sel, n)
	case ShapeHalves, ShapeMajoritiesRing, ShapeBridge:
		v.noSelector(sp, sel, "shape "+pt.Shape+" splits all nodes")
	case ShapeGroups:
		v.noSelector(sp, sel, "shape groups names its nodes")
		v.groups(join(p, "groups"), pt.Groups)
	case "":
		v.errorf(join(p, "shape"), "missing shape; expected %s", oneOf(shapes...))
	default:
		v.errorf(join(p, "shape"), "unknown shape %q; expected %s", pt.Shape, oneOf(shapes...))
	}
}

// cutSelection checks the selection of a shape that cuts selected nodes
// from the rest against how many nodes it may resolve to.
func (v *validator) cutSelection(sp, shape string, sel Selector, n int) {
	if sel.IsZero() && shape != ShapeMajorityMinor {
		v.errorf(sp, "shape %s needs the nodes to cut; expected select (nodes, zone, role or random)", shape)
		return
	}
	size := v.selector(sp, sel)
	if sel.IsZero() || size < 0 || !v.scope.known() || n < PartitionMinNodes(shape) {
		return
	}
	switch {
	case shape == ShapeOneWay && size >= n:
		v.errorf(sp, "select %s may resolve to all %d nodes; expected a selection that leaves at least one node on the other side of the one-way cut", sel, n)
	case shape == ShapeMajorityMinor && 2*size >= n:
		v.errorf(sp, "select %s may resolve to %d of %d nodes, and shape majority-minority puts the selected nodes in the minority; expected at most %d nodes (fewer than half)", sel, size, n, (n-1)/2)
	}
}

// groups checks explicit partition groups: at least two, non-empty, known
// nodes, no node twice, every node in one (the planner cuts every pair in
// different groups and has no side for a node in none).
func (v *validator) groups(p string, groups [][]string) {
	if len(groups) < 2 {
		v.errorf(p, "%d groups; expected at least 2 groups of nodes", len(groups))
	}
	where := map[string]string{}
	for i, g := range groups {
		gp := index(p, i)
		if len(g) == 0 {
			v.errorf(gp, "empty group; expected at least one node")
		}
		for j, node := range g {
			np := index(gp, j)
			switch prev, dup := where[node]; {
			case !v.scope.isNode(node):
				v.errorf(np, "unknown node %q; expected one of %s", node, strings.Join(v.scope.nodes, ", "))
			case dup:
				v.errorf(np, "node %q is already in %s; expected each node in one group", node, prev)
			}
			where[node] = gp
		}
	}
	var missing []string
	for _, node := range v.scope.nodes {
		if _, ok := where[node]; !ok {
			missing = append(missing, node)
		}
	}
	if len(groups) >= 2 && len(missing) > 0 {
		v.errorf(p, "%s in no group; expected every node (%s) in exactly one group", strings.Join(missing, ", "), strings.Join(v.scope.nodes, ", "))
	}
}
