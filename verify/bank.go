package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"faultline.dev/faultline/history"
)

// Bank checks the bank invariant: every ok read sees balances summing to the
// total (Input.BankTotal) and none negative; so does every reachable node's
// final state. Invalid on any bad read or bad final node; Unknown without a
// total, or with neither an ok read nor a final read.
type Bank struct{}

// Name is "bank".
func (Bank) Name() string { return NameBank }

// badRead is one read that broke the invariant.
type badRead struct {
	Process  int     `json:"process"`
	Node     string  `json:"node,omitempty"`
	Time     int64   `json:"time"` // completion
	Sum      int64   `json:"sum"`
	Balances []int64 `json:"balances"`
	Negative []int   `json:"negative,omitempty"` // account ids
}

type badFinal struct {
	Node     string          `json:"node"`
	Sum      int64           `json:"sum"`
	Balances map[int64]int64 `json:"balances"`
	Negative []int64         `json:"negative,omitempty"`
}

type bankEvidence struct {
	Total       int64      `json:"total"`
	Reads       int        `json:"reads"`
	BadReads    int        `json:"badReads"`
	Undecodable int        `json:"undecodable,omitempty"`
	First       *badRead   `json:"first,omitempty"`
	Worst       *badRead   `json:"worst,omitempty"` // largest |sum − total|, then most negative
	Last        *badRead   `json:"last,omitempty"`
	BadFinal    []badFinal `json:"badFinal,omitempty"`
	FinalNodes  int        `json:"finalNodes"`
}

// Check examines every ok read and every final node.
func (c Bank) Check(ctx context.Context, in *Input) Verdict {
	if in.BankTotal == 0 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "bank total not given"}
	}
	ev := bankEvidence{Total: in.BankTotal}
	ev.scanReads(in.index().ops)
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	if in.Final != nil {
		ev.scanFinal(in.Final)
	}
	v := Verdict{Check: c.Name(), Status: Valid, Evidence: toJSON(ev)}
	switch {
	case ev.BadReads > 0 || len(ev.BadFinal) > 0:
		v.Status = Invalid
		v.Summary = fmt.Sprintf("%d of %d reads and %d of %d final nodes break the invariant (total %d)",
			ev.BadReads, ev.Reads, len(ev.BadFinal), ev.FinalNodes, ev.Total)
	case ev.Reads == 0 && ev.FinalNodes == 0:
		v.Status, v.Summary = Unknown, "no ok read and no final read"
	default:
		v.Summary = fmt.Sprintf("%d reads and %d final nodes sum to %d, none negative", ev.Reads, ev.FinalNodes, ev.Total)
	}
	return v
}

func (ev *bankEvidence) scanReads(s *opSet) {
	for _, o := range s.ops {
		if s.f(o) != "read" || s.typ(o) != history.OK {
			continue
		}
		var r history.BankRead
		if err := json.Unmarshal(s.output(o), &r); err != nil {
			ev.Undecodable++
			continue
		}
		ev.Reads++
		b := badRead{Process: s.process(o), Node: s.node(o), Time: s.ret(o), Balances: r.Balances}
		for id, bal := range r.Balances {
			b.Sum += bal
			if bal < 0 {
				b.Negative = append(b.Negative, id)
			}
		}
		if b.Sum == ev.Total && len(b.Negative) == 0 {
			continue
		}
		ev.BadReads++
		if ev.First == nil {
			ev.First = &b
		}
		if ev.Worst == nil || worse(&b, ev.Worst, ev.Total) {
			ev.Worst = &b
		}
		ev.Last = &b
	}
}

// worse orders bad reads by |sum − total|, then by their lowest balance.
func worse(a, b *badRead, total int64) bool {
	da, db := abs(a.Sum-total), abs(b.Sum-total)
	if da != db {
		return da > db
	}
	return minOf(a.Balances) < minOf(b.Balances)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func minOf(vs []int64) int64 {
	m := int64(0)
	for _, v := range vs {
		m = min(m, v)
	}
	return m
}

func (ev *bankEvidence) scanFinal(f *history.Final) {
	for _, n := range reachableNodes(f) {
		ev.FinalNodes++
		b := badFinal{Node: n.Node, Balances: n.Balances}
		for id, bal := range n.Balances {
			b.Sum += bal
			if bal < 0 {
				b.Negative = append(b.Negative, id)
			}
		}
		sort.Slice(b.Negative, func(i, j int) bool { return b.Negative[i] < b.Negative[j] })
		if b.Sum != ev.Total || len(b.Negative) > 0 {
			ev.BadFinal = append(ev.BadFinal, b)
		}
	}
}
