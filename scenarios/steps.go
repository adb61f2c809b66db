package scenarios

import (
	"path"
	"slices"
	"strings"
)

// steps validates every step of the timeline.
func (v *validator) steps() {
	names := map[string]int{}
	for i := range v.s.Spec.Faults {
		st := &v.s.Spec.Faults[i]
		v.step(index("spec.faults", i), st)
		if st.Name == "" {
			continue
		}
		if j, dup := names[st.Name]; dup {
			v.errorf(join(index("spec.faults", i), "name"), "step name %q already used by spec.faults[%d]; expected unique names", st.Name, j)
		}
		names[st.Name] = i
	}
}

func (v *validator) step(p string, st *Step) {
	kinds := st.Faults()
	switch {
	case len(kinds) == 0:
		v.errorf(p, "step has no fault; expected exactly one of %s", strings.Join(v.s.faultKinds(), ", "))
		return
	case len(kinds) > 1:
		v.errorf(join(p, kinds[1]), "step has %d faults (%s); expected exactly one per step", len(kinds), strings.Join(kinds, ", "))
	}
	kind := kinds[0]
	v.window(p, st, kind)
	v.params(p, kind, st)
}

// window checks at and for against the workload's duration.
func (v *validator) window(p string, st *Step, kind string) {
	if st.At < 0 {
		v.errorf(join(p, "at"), "at %s; expected a time ≥ 0 from the workload start", st.At)
	}
	if st.For != nil && *st.For <= 0 {
		v.errorf(join(p, "for"), "for %s; expected a duration > 0 (omit it to last until the workload ends)", *st.For)
	}
	if kind == FaultPromote && st.For != nil {
		v.errorf(join(p, "for"), "promote cannot be healed; expected no for")
	}
	dur := v.s.Spec.Workload.Duration
	switch {
	case dur <= 0:
	case st.At >= dur:
		v.errorf(join(p, "at"), "at %s is not before the workload ends at %s; expected at < workload.duration", st.At, dur)
	case st.For != nil && *st.For > 0 && st.At+*st.For > dur:
		v.errorf(join(p, "for"), "healed at %s, after the workload ends at %s; expected at + for ≤ workload.duration (a fault must be healed before the workload ends)", st.At+*st.For, dur)
	}
}

// params checks the fault's own fields and how it may be selected.
func (v *validator) params(p, kind string, st *Step) {
	fp, sp := join(p, kind), join(p, "select")
	if st.Extension != nil && kind == st.Extension.Kind {
		v.extensionParams(fp, sp, st)
		return
	}
	switch kind {
	case FaultPartition:
		v.partition(fp, sp, st.Partition, st.Select)
		return
	case FaultAZDrain:
		v.azDrain(fp, st.AZDrain)
		v.noSelector(sp, st.Select, "azDrain selects by its zone")
		return
	case FaultPromote:
		v.promote(fp, sp, st.Select)
		return
	case FaultLatency:
		v.latency(fp, st.Latency)
	case FaultBandwidth:
		v.bandwidth(fp, st.Bandwidth)
	case FaultClockSkew:
		v.clockSkew(fp, st.ClockSkew)
	case FaultDiskThrottle:
		v.diskThrottle(fp, st.DiskThrottle)
	case FaultDiskFault:
		v.diskFault(fp, st.DiskFault)
	case FaultRollingRestart:
		if st.RollingRestart.Interval < 0 {
			v.errorf(join(fp, "interval"), "interval %s; expected a duration ≥ 0", st.RollingRestart.Interval)
		}
	}
	v.selector(sp, st.Select)
}

func (v *validator) noSelector(sp string, sel Selector, why string) {
	if !sel.IsZero() {
		v.errorf(sp, "select given but %s; expected no select", why)
	}
}

func (v *validator) latency(p string, l *Latency) {
	if l.Delay <= 0 {
		v.errorf(join(p, "delay"), "delay %s; expected a duration > 0", l.Delay)
	}
	if l.Jitter < 0 || (l.Delay > 0 && l.Jitter > l.Delay) {
		v.errorf(join(p, "jitter"), "jitter %s; expected 0 ≤ jitter ≤ delay (%s)", l.Jitter, l.Delay)
	}
	if l.Loss < 0 || l.Loss > 100 {
		v.errorf(join(p, "loss"), "loss %g; expected a percentage 0..100", l.Loss)
	}
}

func (v *validator) bandwidth(p string, b *Bandwidth) {
	if b.Rate <= 0 {
		v.errorf(join(p, "rate"), "rate %s; expected bytes per second > 0 like 1MiB", b.Rate)
	}
	switch b.Direction {
	case "", "in", "out", "both":
	default:
		v.errorf(join(p, "direction"), "direction %q; expected %s", b.Direction, oneOf("in", "out", "both"))
	}
}

func (v *validator) diskThrottle(p string, d *DiskThrottle) {
	if d.ReadBPS <= 0 && d.WriteBPS <= 0 && d.ReadIOPS <= 0 && d.WriteIOPS <= 0 {
		v.errorf(p, "no limit; expected at least one of readBps, writeBps, readIops, writeIops > 0")
	}
	for name, x := range map[string]int{"readIops": d.ReadIOPS, "writeIops": d.WriteIOPS} {
		if x < 0 {
			v.errorf(join(p, name), "%s %d; expected ≥ 0", name, x)
		}
	}
}

var diskOps = []string{"read", "write", "fsync", "open"}

func (v *validator) diskFault(p string, d *DiskFault) {
	if l := v.s.Spec.Target.Local; l != nil && !l.DiskFaults {
		v.errorf(p, "diskFault needs the FUSE layer under each data directory; expected spec.target.local.diskFaults: true")
	}
	if d.Delay < 0 {
		v.errorf(join(p, "delay"), "delay %s; expected a duration ≥ 0", d.Delay)
	}
	if d.ErrorRate < 0 || d.ErrorRate > 100 {
		v.errorf(join(p, "errorRate"), "errorRate %g; expected a percentage 0..100", d.ErrorRate)
	}
	if d.Delay <= 0 && d.ErrorRate <= 0 {
		v.errorf(p, "no effect; expected delay > 0 or errorRate > 0")
	}
	seen := map[string]bool{}
	for i, op := range d.Ops {
		if !slices.Contains(diskOps, op) || seen[op] {
			v.errorf(index(join(p, "ops"), i), "op %q; expected each of %s at most once", op, strings.Join(diskOps, ", "))
		}
		seen[op] = true
	}
	if d.Path != "" && (path.IsAbs(d.Path) || strings.HasPrefix(path.Clean(d.Path), "..")) {
		v.errorf(join(p, "path"), "path %q; expected a prefix relative to the data directory like ib_logfile", d.Path)
	}
}

func (v *validator) azDrain(p string, a *AZDrain) {
	if a.Zone == "" {
		v.errorf(join(p, "zone"), "missing zone; expected the zone to drain")
		return
	}
	v.selZone(join(p, "zone"), a.Zone)
}

func (v *validator) promote(p, sp string, sel Selector) {
	if t := v.s.Spec.Target.Topology(); t != TopologyReplication {
		v.errorf(p, "promote needs a replication topology, target is %q; expected topology: replication", t)
	}
	one := (len(sel.Nodes) == 1 && sel.Random == 0) || sel.Random == 1
	if !one {
		v.errorf(sp, "promote selects %q; expected exactly one node, e.g. nodes: [n2] or random: 1", sel.String())
		return
	}
	if sel.Role == RolePrimary {
		v.errorf(join(sp, "role"), "promoting the primary changes nothing; expected a replica")
	}
	v.selector(sp, sel)
}
