package scenarios

import "strings"

var shapes = []string{ShapeIsolate, ShapeHalves, ShapeMajorityMinor, ShapeMajoritiesRing,
	ShapeBridge, ShapeOneWay, ShapeGroups}

// partition checks a partition's shape against its selector: isolate and
// one-way cut the selected nodes (select required); majority-minority puts
// the selected nodes, if any, in the minority; halves, majorities-ring and
// bridge split all nodes and groups names them (no select).
func (v *validator) partition(p, sp string, pt *Partition, sel Selector) {
	n := len(v.scope.nodes)
	if v.scope.known() && n < 2 {
		v.errorf(p, "a partition needs at least 2 nodes, target has %d", n)
	}
	if pt.Shape != ShapeGroups && len(pt.Groups) > 0 {
		v.errorf(join(p, "groups"), "groups given with shape %q; expected groups only with shape: groups", pt.Shape)
	}
	switch pt.Shape {
	case ShapeIsolate, ShapeOneWay:
		if sel.IsZero() {
			v.errorf(sp, "shape %s needs the nodes to cut; expected select (nodes, zone, role or random)", pt.Shape)
			return
		}
	case ShapeMajorityMinor:
	case ShapeHalves:
		v.noSelector(sp, sel, "shape halves splits all nodes")
		return
	case ShapeMajoritiesRing, ShapeBridge:
		v.noSelector(sp, sel, "shape "+pt.Shape+" splits all nodes")
		if v.scope.known() && n < 3 {
			v.errorf(join(p, "shape"), "shape %s needs at least 3 nodes, target has %d", pt.Shape, n)
		}
		return
	case ShapeGroups:
		v.noSelector(sp, sel, "shape groups names its nodes")
		v.groups(join(p, "groups"), pt.Groups)
		return
	case "":
		v.errorf(join(p, "shape"), "missing shape; expected %s", oneOf(shapes...))
		return
	default:
		v.errorf(join(p, "shape"), "unknown shape %q; expected %s", pt.Shape, oneOf(shapes...))
		return
	}
	v.selector(sp, sel)
}

// groups checks explicit partition groups: at least two, non-empty, known
// nodes, no node twice.
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
}
