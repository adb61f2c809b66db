package scenarios

import (
	"reflect"
	"strings"
)

// Fault kinds: the field names of Step's fault fields.
const (
	FaultPartition      = "partition"
	FaultLatency        = "latency"
	FaultBandwidth      = "bandwidth"
	FaultClockSkew      = "clockSkew"
	FaultDiskThrottle   = "diskThrottle"
	FaultDiskFault      = "diskFault"
	FaultKill           = "kill"
	FaultPause          = "pause"
	FaultRestart        = "restart"
	FaultAZDrain        = "azDrain"
	FaultPodKill        = "podKill"
	FaultRollingRestart = "rollingRestart"
	FaultPromote        = "promote"
)

// Fault families: two overlapping steps of one family may not touch the same node.
const (
	FamilyNetwork = "network"
	FamilyClock   = "clock"
	FamilyDisk    = "disk"
	FamilyProcess = "process"
)

// Family of a fault kind.
func Family(kind string) string {
	switch kind {
	case FaultPartition, FaultLatency, FaultBandwidth:
		return FamilyNetwork
	case FaultClockSkew:
		return FamilyClock
	case FaultDiskThrottle, FaultDiskFault:
		return FamilyDisk
	}
	return FamilyProcess
}

// Target kinds.
const (
	TargetLocal      = "local"
	TargetKubernetes = "kubernetes"
)

// Kind is the target kind: local, kubernetes or "" when not exactly one is set.
func (t Target) Kind() string {
	switch {
	case t.Local != nil && t.Kubernetes == nil:
		return TargetLocal
	case t.Kubernetes != nil && t.Local == nil:
		return TargetKubernetes
	}
	return ""
}

// Topology of the target ("" when a Kubernetes target does not say).
func (t Target) Topology() string {
	switch t.Kind() {
	case TargetLocal:
		return t.Local.Topology
	case TargetKubernetes:
		return t.Kubernetes.Topology
	}
	return ""
}

// stepFaultFields are Step's fault fields by kind, in declaration order.
var stepFaultFields = func() (fields []struct {
	kind  string
	index int
}) {
	t := reflect.TypeOf(Step{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue // Extension: a registered kind, spelled by its own name
		}
		fields = append(fields, struct {
			kind  string
			index int
		}{name, i})
	}
	return fields
}()

// FaultKinds lists every built-in fault kind a step may hold.
func FaultKinds() []string {
	kinds := make([]string, len(stepFaultFields))
	for i, f := range stepFaultFields {
		kinds[i] = f.kind
	}
	return kinds
}

// Faults lists the kinds of the fault fields set on the step (exactly one in
// a valid step).
func (st *Step) Faults() []string {
	var kinds []string
	v := reflect.ValueOf(st).Elem()
	for _, f := range stepFaultFields {
		if !v.Field(f.index).IsNil() {
			kinds = append(kinds, f.kind)
		}
	}
	if st.Extension != nil {
		kinds = append(kinds, st.Extension.Kind)
	}
	return kinds
}

// Kind is the step's fault kind ("" when none is set).
func (st *Step) Kind() string {
	if k := st.Faults(); len(k) > 0 {
		return k[0]
	}
	return ""
}

// Fault is the step's fault value (e.g. *Partition), or nil.
func (st *Step) Fault() any {
	v := reflect.ValueOf(st).Elem()
	for _, f := range stepFaultFields {
		if fv := v.Field(f.index); !fv.IsNil() {
			return fv.Interface()
		}
	}
	if st.Extension != nil {
		return st.Extension.Params
	}
	return nil
}
