package verify

import (
	"encoding/json"
	"sort"
	"testing"

	"faultline.dev/faultline/history"
)

// hist builds a history for tests: operations are added whole and the
// events are put in time order at the end.
type hist struct {
	ev []history.Event
}

// never marks an operation that never completed.
const never history.Type = ""

func sec(s float64) int64 { return int64(s * 1e9) }

func raw(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// op adds an invoke at call and, unless typ is never, a completion at ret.
func (h *hist) op(p int, node, f string, in any, call float64, typ history.Type, out any, ret float64) {
	h.ev = append(h.ev, history.Event{Time: sec(call), Process: p, Type: history.Invoke, F: f, Value: raw(in), Node: node})
	if typ != never {
		h.ev = append(h.ev, history.Event{Time: sec(ret), Process: p, Type: typ, F: f, Value: raw(out), Node: node})
	}
}

// add is a ledger add of v whose result is typ.
func (h *hist) add(p int, node string, v int64, call float64, typ history.Type, ret float64) {
	h.op(p, node, "add", v, call, typ, v, ret)
}

func (h *hist) fault(t float64, id, kind string, phase history.FaultPhase) {
	h.ev = append(h.ev, history.Event{Time: sec(t), Process: history.ProcessNemesis, Type: history.Fault,
		Fault: &history.FaultEvent{ID: id, Kind: kind, Phase: phase}})
}

func (h *hist) probe(t float64, p history.ProbeEvent) {
	h.ev = append(h.ev, history.Event{Time: sec(t), Process: history.ProcessProbe, Type: history.Probe, Probe: &p})
}

// round probes every given sample at time t (one prober sweep).
func (h *hist) round(t float64, ps ...history.ProbeEvent) {
	for i, p := range ps {
		h.probe(t+float64(i)*0.001, p)
	}
}

func (h *hist) events() []history.Event {
	sort.SliceStable(h.ev, func(i, j int) bool { return h.ev[i].Time < h.ev[j].Time })
	for i := range h.ev {
		h.ev[i].Index = int64(i)
	}
	return h.ev
}

func writable(node string) history.ProbeEvent {
	return history.ProbeEvent{Node: node, Reachable: true, Writable: true, Role: "primary"}
}

func replica(node string) history.ProbeEvent {
	return history.ProbeEvent{Node: node, Reachable: true, ReadOnly: true, Role: "replica"}
}

func down(node string) history.ProbeEvent {
	return history.ProbeEvent{Node: node, Role: "down"}
}

func galera(node, status string, conf int64, size int) history.ProbeEvent {
	return history.ProbeEvent{Node: node, Reachable: true, Writable: status == "Primary", ClusterStatus: status,
		ConfID: conf, StateUUID: "uuid-1", ClusterSize: size, LocalState: "Synced"}
}

// ledgerFinal is a converged final read where each node holds the given values.
func ledgerFinal(nodes map[string][]int64) *history.Final {
	f := &history.Final{Workload: "ledger", Converged: true, Time: sec(1000)}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f.Nodes = append(f.Nodes, history.FinalNode{Node: n, Reachable: true, Ledger: nodes[n]})
	}
	return f
}

// evidence decodes a verdict's evidence.
func evidence[T any](t *testing.T, v Verdict) T {
	t.Helper()
	var out T
	if err := json.Unmarshal(v.Evidence, &out); err != nil {
		t.Fatalf("%s evidence: %v\n%s", v.Check, err, v.Evidence)
	}
	return out
}

func wantStatus(t *testing.T, v Verdict, want Status) {
	t.Helper()
	if v.Status != want {
		t.Fatalf("%s: status %s, want %s (%s)\nevidence: %s", v.Check, v.Status, want, v.Summary, v.Evidence)
	}
}
