package scenarios

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Limits and defaults.
const (
	MaxNodes = 9
	// MaxLabName keeps interface names such as fl-<lab>-n1 within the
	// kernel's 15 characters.
	MaxLabName = 8

	DefaultClients         = 4
	DefaultOpTimeout       = Duration(5 * time.Second)
	DefaultKeys            = 10
	DefaultAccounts        = 5
	DefaultPerAccount      = 100
	DefaultMinTxnLength    = 1
	DefaultMaxTxnLength    = 4
	DefaultReadFraction    = 0.5
	DefaultSemiSyncTimeout = Duration(10 * time.Second)
	DefaultDiskSize        = Size(512 << 20)
	DefaultConvergence     = Duration(60 * time.Second)
	DefaultCheckTimeout    = Duration(60 * time.Second)
	DefaultModel           = "serializable"

	RoutingPrimary = "primary"
	RoutingAny     = "any"
)

// NodeNames are a local lab's node names: n1..nN.
func NodeNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "n" + itoa(i+1)
	}
	return names
}

// DefaultZones assigns zones a, b, c round-robin in node order.
func DefaultZones(n int) []string {
	zones := make([]string, n)
	for i := range zones {
		zones[i] = string(rune('a' + i%3))
	}
	return zones
}

func itoa(i int) string { return strconv.Itoa(i) }

// LabName is the local lab's name: spec.target.local.name when given, else
// "fl-" + metadata.name when that fits in MaxLabName characters, else
// "fl-" + the first characters of the name and a short hash of all of it,
// so that different long names still get different labs.
func LabName(s *Scenario) string {
	if l := s.Spec.Target.Local; l != nil && l.Name != "" {
		return l.Name
	}
	name := strings.Trim(s.Metadata.Name, "-")
	if full := "fl-" + name; len(full) <= MaxLabName {
		return full
	}
	h := fnv.New32a()
	h.Write([]byte(s.Metadata.Name))
	suffix := fmt.Sprintf("%02x", h.Sum32()&0xff)
	head := strings.TrimRight(name[:MaxLabName-3-len(suffix)], "-")
	return "fl-" + head + suffix
}

// Defaults fills every optional field with its default. Load applies it
// after validation; it is idempotent.
func (s *Scenario) Defaults() {
	if l := s.Spec.Target.Local; l != nil {
		s.localDefaults(l)
	}
	s.workloadDefaults(&s.Spec.Workload)
	s.verifyDefaults(&s.Spec.Verify)
}

func (s *Scenario) localDefaults(l *LocalTarget) {
	if len(l.Zones) == 0 {
		l.Zones = DefaultZones(l.Nodes)
	}
	l.Name = LabName(s)
	if l.Topology == TopologyReplication {
		if l.SemiSync == nil {
			l.SemiSync = ptr(true)
		}
		if l.SemiSyncTimeout == 0 {
			l.SemiSyncTimeout = DefaultSemiSyncTimeout
		}
	}
	if l.Faketime == nil {
		l.Faketime = ptr(true)
	}
	if l.DiskSize == 0 {
		l.DiskSize = DefaultDiskSize
	}
}

func (s *Scenario) workloadDefaults(w *Workload) {
	setInt(&w.Clients, DefaultClients)
	if w.OpTimeout == 0 {
		w.OpTimeout = DefaultOpTimeout
	}
	if w.Routing == "" {
		w.Routing = RoutingAny
		if s.Spec.Target.Topology() == TopologyReplication {
			w.Routing = RoutingPrimary
		}
	}
	switch w.Kind {
	case WorkloadListAppend:
		setInt(&w.Keys, DefaultKeys)
		setInt(&w.MinTxnLength, DefaultMinTxnLength)
		setInt(&w.MaxTxnLength, max(DefaultMaxTxnLength, w.MinTxnLength))
	case WorkloadRegister:
		setInt(&w.Keys, DefaultKeys)
	case WorkloadBank:
		setInt(&w.Accounts, DefaultAccounts)
		if w.Total == 0 {
			w.Total = int64(DefaultPerAccount * w.Accounts)
		}
	}
	if w.ReadFraction == nil && w.Kind != WorkloadBank {
		f := DefaultReadFraction
		if w.Kind == WorkloadLedger {
			f = 0
		}
		w.ReadFraction = &f
	}
}

func (s *Scenario) verifyDefaults(v *Verify) {
	if len(v.Checks) == 0 {
		v.Checks = s.defaultChecks()
	}
	if v.Convergence == 0 {
		v.Convergence = DefaultConvergence
	}
	if v.Timeout == 0 {
		v.Timeout = DefaultCheckTimeout
	}
	if v.Model == "" && s.Spec.Workload.Kind == WorkloadListAppend {
		v.Model = DefaultModel
	}
}

func setInt(p *int, def int) {
	if *p == 0 {
		*p = def
	}
}

func ptr[T any](v T) *T { return &v }
