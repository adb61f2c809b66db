package scenarios

import (
	"fmt"
	"slices"
	"time"

	"faultline.dev/faultline/verify"
)

// The backup drill's fault kinds. The local provider registers them whole
// (targets/local/drill); the rules that tie them to spec.backup and to each
// other across the timeline live here, with the schedule they need.
const (
	// FaultDisaster destroys the selected nodes' data (every node by default).
	FaultDisaster = verify.KindDisaster
	// FaultRestore rebuilds the cluster from the latest completed backup.
	FaultRestore = verify.KindRestore
)

// BackupToolMariaBackup is the physical backup tool of the local lab.
const BackupToolMariaBackup = "mariadb-backup"

// BackupSchedule takes a backup every Every while the workload runs,
// starting At after the workload starts: physical and consistent, with
// mariadb-backup. Each backup and its consistent point is recorded in the
// history; a restore step restores the latest one that completed.
type BackupSchedule struct {
	Every Duration `json:"every" yaml:"every"`
	At    Duration `json:"at,omitempty" yaml:"at,omitempty"`
	// Node to back up; default the first node that serves writes.
	Node string `json:"node,omitempty" yaml:"node,omitempty"`
	// Tool: mariadb-backup (the default).
	Tool string `json:"tool,omitempty" yaml:"tool,omitempty"`
}

// Times are the start times of the schedule's backups within a workload of
// duration d.
func (b *BackupSchedule) Times(d time.Duration) []time.Duration {
	var out []time.Duration
	if b == nil || b.Every <= 0 {
		return out
	}
	for t := b.At.D(); t < d; t += b.Every.D() {
		out = append(out, t)
	}
	return out
}

// describe is the schedule for a plan: when its backups start, of which node.
func (b *BackupSchedule) describe(d time.Duration) string {
	tool, node := b.Tool, b.Node
	if tool == "" {
		tool = BackupToolMariaBackup
	}
	if node == "" {
		node = "a node serving writes"
	}
	return fmt.Sprintf("%s of %s every %s from %s (%d backups)", tool, node, b.Every, b.At, len(b.Times(d)))
}

// backupDrill checks spec.backup and the drill's steps against it and
// against each other.
func (v *validator) backupDrill() {
	b := v.s.Spec.Backup
	if b != nil {
		v.backupSchedule(b)
	}
	for i := range v.s.Spec.Faults {
		st := &v.s.Spec.Faults[i]
		switch drillKind(st) {
		case FaultRestore:
			v.restoreStep(i, st, b)
		case FaultDisaster:
			v.disasterStep(i, st)
		}
	}
}

func drillKind(st *Step) string {
	if st.Extension == nil || len(st.Faults()) != 1 {
		return ""
	}
	switch k := st.Extension.Kind; k {
	case FaultDisaster, FaultRestore:
		return k
	}
	return ""
}

func (v *validator) backupSchedule(b *BackupSchedule) {
	const p = "spec.backup"
	if v.s.Spec.Target.Kind() == TargetKubernetes {
		v.errorf(p, "backup schedules run on the local lab; expected no backup with a kubernetes target")
	}
	if b.Every <= 0 {
		v.errorf(join(p, "every"), "every %s; expected a duration > 0 like 10s", b.Every)
	}
	dur := v.s.Spec.Workload.Duration
	switch {
	case b.At < 0:
		v.errorf(join(p, "at"), "at %s; expected a time ≥ 0 from the workload start", b.At)
	case dur > 0 && b.At >= dur:
		v.errorf(join(p, "at"), "at %s is not before the workload ends at %s, so no backup is ever taken; expected at < workload.duration", b.At, dur)
	}
	if b.Node != "" && v.scope.known() && !v.scope.isNode(b.Node) {
		v.errorf(join(p, "node"), "unknown node %q; expected %s", b.Node, oneOf(v.scope.nodes...))
	}
	if b.Tool != "" && b.Tool != BackupToolMariaBackup {
		v.errorf(join(p, "tool"), "tool %q; expected %s", b.Tool, BackupToolMariaBackup)
	}
}

// restoreStep: a restore needs a schedule, a disaster before it, and a
// backup that can have been taken before that disaster.
func (v *validator) restoreStep(i int, st *Step, b *BackupSchedule) {
	p := index("spec.faults", i)
	v.noFor(p, st, FaultRestore)
	if t := v.s.Spec.Target.Topology(); t != TopologyGalera && t != TopologyReplication {
		v.errorf(join(p, FaultRestore), "restore rebuilds Galera clusters and replication labs, target is %q; expected topology: galera or replication", t)
	}
	if b == nil {
		v.errorf(join(p, FaultRestore), "restore without a backup schedule, so there is nothing to restore; expected spec.backup with every")
		return
	}
	d, ok := v.lastDisasterBefore(st.At)
	if !ok {
		v.errorf(join(p, "at"), "restore at %s has no disaster before it; expected a disaster step at < %s", st.At, st.At)
		return
	}
	v.replicationRestore(p, st, d)
	if b.Every > 0 && d.At <= b.At {
		v.errorf(join(p, "at"), "restore at %s of the data lost at %s, but the first backup starts at %s: no backup can exist before the disaster; expected spec.backup.at < %s",
			st.At, d.At, b.At, d.At)
	}
}

// disasterStep: one that destroys every node needs a restore after it, or
// the cluster never serves again and its final state cannot be read.
func (v *validator) disasterStep(i int, st *Step) {
	p := index("spec.faults", i)
	v.noFor(p, st, FaultDisaster)
	if !v.destroysAll(st.Select) {
		return
	}
	for j := range v.s.Spec.Faults {
		r := &v.s.Spec.Faults[j]
		if drillKind(r) == FaultRestore && r.At > st.At {
			return
		}
	}
	v.errorf(join(p, FaultDisaster), "disaster destroys every node's data and no restore follows, so the cluster never serves again and its final state cannot be read; expected a restore step after at %s", st.At)
}

func (v *validator) noFor(p string, st *Step, kind string) {
	if st.For != nil {
		v.errorf(join(p, "for"), "%s cannot be healed; expected no for", kind)
	}
}

// lastDisasterBefore is the latest disaster step at or before t.
func (v *validator) lastDisasterBefore(t Duration) (*Step, bool) {
	var last *Step
	for j := range v.s.Spec.Faults {
		d := &v.s.Spec.Faults[j]
		if drillKind(d) == FaultDisaster && d.At <= t && (last == nil || d.At > last.At) {
			last = d
		}
	}
	return last, last != nil
}

// destroysAll says whether a disaster's selection takes every node.
func (v *validator) destroysAll(sel Selector) bool {
	n := len(v.scope.nodes)
	switch {
	case sel.IsZero():
		return true
	case sel.Random > 0:
		return sel.Random == n
	case len(sel.Nodes) > 0:
		return len(sel.Nodes) == n && !slices.ContainsFunc(sel.Nodes, func(s string) bool { return !v.scope.isNode(s) })
	case sel.Zone != "":
		return len(v.scope.zones[sel.Zone]) == n && n > 0
	}
	return false
}

// defaultChecks are the checks that apply to the workload, without the
// restore check unless a restore step gives it something to verify.
func (s *Scenario) defaultChecks() []string {
	checks := verify.ChecksFor(s.Spec.Workload.Kind)
	if !slices.ContainsFunc(s.Spec.Faults, func(st Step) bool { return drillKind(&st) == FaultRestore }) {
		checks = slices.DeleteFunc(checks, func(c string) bool { return c == CheckRestore })
	}
	return checks
}
