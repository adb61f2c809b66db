package verify

import (
	"context"
	"fmt"
	"slices"

	"faultline.dev/faultline/history"
)

// LostWrites is the ledger checker, with Jepsen set-full semantics over the
// `add` operations and the final read of every reachable node:
//
//   - lost: acknowledged (ok) but absent from an authoritative node — a
//     reachable node whose last probe before the final read showed it
//     writable (the final primary with replication, every Primary-component
//     node with Galera; every reachable node when no probe shows one). An
//     acknowledged value missing only from a non-authoritative node (a
//     lagging replica) is reported per node but is not lost: convergence
//     judges that;
//   - unexpected: present on a reachable node but never attempted, or
//     attempted and reported failed (a fail means it did not happen);
//   - recovered: indeterminate (info) and present — fine;
//   - never-read: indeterminate and absent — fine.
//
// Invalid when anything is lost or unexpected; Unknown without a final read
// of at least one node, or without any add operation.
type LostWrites struct{}

// Name is "lost-writes".
func (LostWrites) Name() string { return NameLostWrites }

// evidence list lengths: counts are always complete, lists are capped.
const maxListed = 100

type lostElement struct {
	Value      int64    `json:"value"`
	InvokeTime int64    `json:"invokeTime"`
	AckTime    int64    `json:"ackTime"`
	Process    int      `json:"process"`
	Node       string   `json:"node,omitempty"`
	MissingOn  []string `json:"missingOn"`
}

type unexpectedElement struct {
	Value     int64    `json:"value"`
	Attempted string   `json:"attempted,omitempty"` // "fail" when attempted and failed
	Nodes     []string `json:"nodes"`
}

type ledgerNodeSummary struct {
	Node          string `json:"node"`
	Authoritative bool   `json:"authoritative"`
	Size          int    `json:"size"`
	MissingAcked  int    `json:"missingAcked"`
	Unexpected    int    `json:"unexpected"`
}

type ledgerClasses struct {
	Authority       []string            `json:"authority"`
	AuthoritySource string              `json:"authoritySource"`
	Attempted       int                 `json:"attempted"`
	Acknowledged    int                 `json:"acknowledged"`
	Failed          int                 `json:"failed"`
	Indeterminate   int                 `json:"indeterminate"`
	Undecodable     int                 `json:"undecodable,omitempty"`
	Stable          int                 `json:"stable"`
	LostCount       int                 `json:"lostCount"`
	UnexpectedCount int                 `json:"unexpectedCount"`
	Recovered       int                 `json:"recovered"`
	NeverRead       int                 `json:"neverRead"`
	Nodes           []ledgerNodeSummary `json:"nodes"`
	Lost            []lostElement       `json:"lost,omitempty"`       // by ack time, capped
	Unexpected      []unexpectedElement `json:"unexpected,omitempty"` // by value, capped

	allLost []lostElement
}

// Check classifies every attempted value.
func (c LostWrites) Check(ctx context.Context, in *Input) Verdict {
	idx := in.ledger()
	if idx == nil || len(idx.nodes) == 0 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no final read of any node"}
	}
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	cl := classify(idx)
	v := Verdict{Check: c.Name(), Status: Valid, Evidence: toJSON(cl)}
	v.Summary = fmt.Sprintf("%d acknowledged: %d lost, %d unexpected, %d recovered, %d never read (authority: %v)",
		cl.Acknowledged, cl.LostCount, cl.UnexpectedCount, cl.Recovered, cl.NeverRead, cl.Authority)
	switch {
	case cl.LostCount > 0 || cl.UnexpectedCount > 0:
		v.Status = Invalid
	case cl.Attempted == 0:
		v.Status, v.Summary = Unknown, "no add operations in the history"
	}
	return v
}

// classify sorts every attempted value into the set-full classes.
func classify(idx *ledgerIndex) *ledgerClasses {
	s := idx.ops
	cl := &ledgerClasses{Authority: idx.auth.names, AuthoritySource: idx.auth.source,
		Attempted: len(idx.adds), Undecodable: idx.bad}
	cl.Nodes = make([]ledgerNodeSummary, len(idx.nodes))
	for j, n := range idx.nodes {
		cl.Nodes[j] = ledgerNodeSummary{Node: n.name, Authoritative: n.auth, Size: n.size, Unexpected: len(n.unexpected)}
	}
	failedPresent := map[int64][]string{}
	for i, a := range idx.adds {
		o := s.ops[a.op]
		switch s.typ(o) {
		case history.OK:
			cl.Acknowledged++
			classifyAcked(idx, cl, i, o)
		case history.Info:
			cl.Indeterminate++
			if present := presentOn(idx, i); len(present) > 0 {
				cl.Recovered++
			} else {
				cl.NeverRead++
			}
		default:
			cl.Failed++
			if present := presentOn(idx, i); len(present) > 0 {
				failedPresent[a.v] = present
			}
		}
	}
	cl.addUnexpected(idx, failedPresent)
	sortLost(cl.allLost)
	cl.LostCount = len(cl.allLost)
	cl.Lost = cl.allLost[:min(len(cl.allLost), maxListed)]
	return cl
}

func classifyAcked(idx *ledgerIndex, cl *ledgerClasses, i int, o op) {
	var missing []string
	for j, n := range idx.nodes {
		if n.present.get(i) {
			continue
		}
		cl.Nodes[j].MissingAcked++
		if n.auth {
			missing = append(missing, n.name)
		}
	}
	if missing == nil {
		cl.Stable++
		return
	}
	s := idx.ops
	cl.allLost = append(cl.allLost, lostElement{Value: idx.adds[i].v, InvokeTime: s.call(o), AckTime: s.ret(o),
		Process: s.process(o), Node: s.node(o), MissingOn: missing})
}

func presentOn(idx *ledgerIndex, i int) []string {
	var out []string
	for _, n := range idx.nodes {
		if n.present.get(i) {
			out = append(out, n.name)
		}
	}
	return out
}

// addUnexpected merges never-attempted values across nodes with values that
// were attempted, failed, and are present anyway.
func (cl *ledgerClasses) addUnexpected(idx *ledgerIndex, failedPresent map[int64][]string) {
	byValue := map[int64]*unexpectedElement{}
	for v, nodes := range failedPresent {
		byValue[v] = &unexpectedElement{Value: v, Attempted: "fail", Nodes: nodes}
	}
	for _, n := range idx.nodes {
		for _, v := range n.unexpected {
			u := byValue[v]
			if u == nil {
				u = &unexpectedElement{Value: v}
				byValue[v] = u
			}
			u.Nodes = append(u.Nodes, n.name)
		}
	}
	cl.UnexpectedCount = len(byValue)
	for _, u := range byValue {
		cl.Unexpected = append(cl.Unexpected, *u)
	}
	slices.SortFunc(cl.Unexpected, func(a, b unexpectedElement) int { return cmpInt64(a.Value, b.Value) })
	cl.Unexpected = cl.Unexpected[:min(len(cl.Unexpected), maxListed)]
}
