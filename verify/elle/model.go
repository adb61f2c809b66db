package elle

import (
	"maps"
	"slices"
)

// Consistency models.
const (
	ReadUncommitted = "read-uncommitted"
	ReadCommitted   = "read-committed"
	// SnapshotIsolation forbids G1, lost updates, and every cycle in which
	// no two anti-dependency edges are adjacent: G-single (one such edge)
	// and G-nonadjacent-item (more). It allows G2-item, whose cycles have
	// two adjacent anti-dependencies (write skew).
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
	g1 = []string{"G0", "G1a", "G1b", "G1c"}
	// si and ser are what snapshot isolation and serializability forbid
	// beyond G1; siCycles and serCycles the cycle classes among them, whose
	// -process and -realtime variants the strong models forbid too.
	si        = []string{"G-single", "G-nonadjacent-item", "lost-update"}
	ser       = slices.Concat(si, []string{"G2-item"})
	siCycles  = []string{"G0", "G1c", "G-single", "G-nonadjacent-item"}
	serCycles = slices.Concat(siCycles, []string{"G2-item"})
)

// models maps a model to the anomaly types it forbids.
var models = map[string]model{
	ReadUncommitted:                newModel([]string{"G0"}),
	ReadCommitted:                  newModel(g1),
	SnapshotIsolation:              newModel(g1, si...),
	RepeatableRead:                 newModel(g1, ser...),
	Serializable:                   newModel(g1, ser...),
	StrongSessionSnapshotIsolation: newModel(g1, slices.Concat(si, variants(siCycles, "-process"))...),
	StrongSnapshotIsolation: newModel(g1, slices.Concat(si, variants(siCycles, "-process"),
		variants(siCycles, "-realtime"))...),
	StrongSessionSerializable: newModel(g1, slices.Concat(ser, variants(serCycles, "-process"))...),
	StrictSerializable: newModel(g1, slices.Concat(ser, variants(serCycles, "-process"),
		variants(serCycles, "-realtime"))...),
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
