package scenarios

import (
	"encoding/json"
	"slices"
)

// replicationRestore checks what a restore on a GTID replication lab can
// do: rebuild the whole lab from the backup (a disaster of every node), or
// re-seed replicas and re-attach them to the primary that survived (a
// disaster of replicas only). A disaster that may take the primary while
// sparing others would need a promotion first, which a restore does not do;
// Galera's join (sst, ist) has no meaning here.
func (v *validator) replicationRestore(p string, st *Step, d *Step) {
	if v.s.Spec.Target.Topology() != TopologyReplication {
		return
	}
	if raw, err := json.Marshal(st.Extension.Params); err == nil {
		var x struct {
			Join string `json:"join"`
		}
		if json.Unmarshal(raw, &x) == nil && x.Join != "" {
			v.errorf(join(join(p, FaultRestore), "join"), "join %s is how Galera nodes rejoin; a replication lab's replicas always re-attach by GTID; expected no join", x.Join)
		}
	}
	if v.destroysAll(d.Select) || v.sparesPrimary(d) {
		return
	}
	i := 0
	for j := range v.s.Spec.Faults {
		if &v.s.Spec.Faults[j] == d {
			i = j
		}
	}
	v.errorf(join(index("spec.faults", i), "select"),
		"disaster of %s may destroy the primary while sparing other nodes, and a restore re-seeds replicas only (it does not promote); expected every node, role: replicas, or named replicas (not %s, and no promote before it)",
		d.Select, v.firstPrimary())
}

// sparesPrimary says whether a disaster's selection surely leaves the
// primary: role replicas, or named nodes without the lab's first primary
// when no promotion before the disaster can have moved it.
func (v *validator) sparesPrimary(d *Step) bool {
	sel := d.Select
	switch {
	case sel.Role == RoleReplicas:
		return true
	case len(sel.Nodes) == 0 || slices.Contains(sel.Nodes, v.firstPrimary()):
		return false
	}
	return !slices.ContainsFunc(v.s.Spec.Faults, func(s Step) bool { return s.Promote != nil && s.At <= d.At })
}

// firstPrimary is the node a replication lab starts with as its primary.
func (v *validator) firstPrimary() string {
	if len(v.scope.nodes) == 0 {
		return "n1"
	}
	return v.scope.nodes[0]
}
