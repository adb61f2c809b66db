package elle

import (
	"maps"
	"slices"
)

// Consistency models.
const (
	ReadUncommitted = "read-uncommitted"
	ReadCommitted   = "read-committed"
	// SnapshotIsolation forbids G1, G-single and lost updates.
	SnapshotIsolation = "snapshot-isolation"
	// RepeatableRead is Adya's PL-2.99: with no predicates in list-append
	// it forbids the same anomalies as Serializable.
	RepeatableRead = "repeatable-read"
	Serializable   = "serializable"
	// StrongSessionSnapshotIsolation is snapshot isolation that also
	// respects each client's process order.
	StrongSessionSnapshotIsolation = "strong-session-snapshot-isolation"
	// StrongSnapshotIsolation is snapshot isolation that also respects
	// real-time order.
	StrongSnapshotIsolation   = "strong-snapshot-isolation"
	StrongSessionSerializable = "strong-session-serializable"
	// StrictSerializable is serializability consistent with real-time order.
	StrictSerializable = "strict-serializable"
)

// alwaysInvalid are anomalies no model allows: they show the database (or
// the workload) broke the list-append contract itself.
var alwaysInvalid = []string{"internal", "future-read", "duplicate-elements", "garbage-read", "incompatible-order", "duplicate-appends"}

func variants(base []string, suffix string) []string {
	out := make([]string, len(base))
	for i, b := range base {
		out[i] = b + suffix
	}
	return out
}

var (
	g1     = []string{"G0", "G1a", "G1b", "G1c"}
	siData = []string{"G0", "G1c", "G-single"}
	all    = []string{"G0", "G1c", "G-single", "G2-item"}
)

// models maps a model to the anomaly types it forbids.
var models = map[string]model{
	ReadUncommitted:                newModel([]string{"G0"}),
	ReadCommitted:                  newModel(g1),
	SnapshotIsolation:              newModel(g1, "G-single", "lost-update"),
	RepeatableRead:                 newModel(g1, "G-single", "G2-item", "lost-update"),
	Serializable:                   newModel(g1, "G-single", "G2-item", "lost-update"),
	StrongSessionSnapshotIsolation: newModel(g1, append(variants(siData, "-process"), "G-single", "lost-update")...),
	StrongSnapshotIsolation: newModel(g1, append(append(variants(siData, "-process"), variants(siData, "-realtime")...),
		"G-single", "lost-update")...),
	StrongSessionSerializable: newModel(g1, append(variants(all, "-process"), "G-single", "G2-item", "lost-update")...),
	StrictSerializable: newModel(g1, append(append(variants(all, "-process"), variants(all, "-realtime")...),
		"G-single", "G2-item", "lost-update")...),
}

// ModelNames lists the known models, sorted.
func ModelNames() []string { return slices.Sorted(maps.Keys(models)) }

// Forbids reports whether model forbids anomaly type t; false for an
// unknown model.
func Forbids(model, t string) bool {
	m, ok := models[model]
	return ok && m[t]
}

// model is the set of anomaly types a consistency model forbids.
type model map[string]bool

func newModel(base []string, more ...string) model {
	m := model{}
	for _, t := range slices.Concat(alwaysInvalid, base, more) {
		m[t] = true
	}
	return m
}

// violations lists the forbidden types among counts, sorted.
func (m model) violations(counts map[string]int) []string {
	var out []string
	for t, n := range counts {
		if n > 0 && m[t] {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// anyForbidden reports whether m forbids any of types.
func (m model) anyForbidden(types []string) bool {
	return slices.ContainsFunc(types, func(t string) bool { return m[t] })
}
