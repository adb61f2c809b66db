package verify

import (
	"math"
	"slices"

	"faultline.dev/faultline/history"
)

// restoreCut classifies the writes attempted before a disaster against the
// backup that was restored. A physical backup is a consistent cut of the
// commit order somewhere between its start and its end, so after restoring
// it (and before anything later is replayed):
//
//   - every write acknowledged before the backup started is present;
//   - no write invoked after the backup ended is present;
//   - the present writes are closed under real-time order: a write
//     acknowledged before a present write was invoked is present too;
//   - nothing never attempted, or attempted and failed, is present.
//
// Presence is judged on the authoritative nodes: present when on any,
// missing when absent from any.
type restoreCut struct {
	Before         int          `json:"before"`        // acknowledged before the backup started
	BeforeMissing  []cutElement `json:"beforeMissing"` // … and absent
	During         int          `json:"during"`        // overlapping the backup: either way is consistent
	DuringPresent  int          `json:"duringPresent"` //
	After          int          `json:"after"`         // invoked after the backup ended, before the disaster
	AfterPresent   []cutElement `json:"afterPresent"`  // … and present
	NotClosed      []cutElement `json:"notClosed"`     // acknowledged before a present write was invoked, and absent
	Unexpected     int          `json:"unexpected"`    // never attempted, or failed, and present
	Violations     int          `json:"violations"`    // writes that contradict a consistent cut (all counted; lists capped)
	Lost           int          `json:"lost"`          // acknowledged before the disaster and absent
	FirstLostAck   int64        `json:"firstLostAck,omitempty"`
	LastLostAck    int64        `json:"lastLostAck,omitempty"`
	LastPresentInv int64        `json:"lastPresentInvoke,omitempty"` // latest invoke of a present pre-disaster write

	lost []lostElement
}

type cutElement struct {
	Value      int64 `json:"value"`
	InvokeTime int64 `json:"invokeTime"`
	AckTime    int64 `json:"ackTime,omitempty"`
}

// sortLost orders lost writes by acknowledgement.
func sortLost(l []lostElement) {
	slices.SortFunc(l, func(a, b lostElement) int { return cmpInt64(a.AckTime, b.AckTime) })
}

// cutOf classifies every add invoked before d, when the disaster had
// destroyed every node it was to, against a backup taken from bStart to
// bEnd (harness ns).
func cutOf(idx *ledgerIndex, bStart, bEnd, d int64) *restoreCut {
	s := idx.ops
	c := &restoreCut{Unexpected: classify(idx).UnexpectedCount}
	c.LastPresentInv = math.MinInt64
	type acked struct {
		i   int
		ack int64
	}
	var missingAcked []acked
	for i, a := range idx.adds {
		o := s.ops[a.op]
		call, ret, ok := s.call(o), s.ret(o), s.typ(o) == history.OK
		if call >= d {
			continue
		}
		present, missing := presence(idx, i)
		el := cutElement{Value: a.v, InvokeTime: call}
		if ok {
			el.AckTime = ret
		}
		switch {
		case ok && ret < bStart:
			c.Before++
			if missing {
				c.BeforeMissing = append(c.BeforeMissing, el)
			}
		case call > bEnd:
			c.After++
			if present {
				c.AfterPresent = append(c.AfterPresent, el)
			}
		default:
			c.During++
			if present {
				c.DuringPresent++
			}
		}
		if present {
			c.LastPresentInv = max(c.LastPresentInv, call)
		}
		if ok && missing {
			missingAcked = append(missingAcked, acked{i, ret})
			c.lost = append(c.lost, lostElement{Value: a.v, InvokeTime: call, AckTime: ret, Process: s.process(o), Node: s.node(o)})
		}
	}
	for _, m := range missingAcked {
		if m.ack >= bStart && m.ack < c.LastPresentInv { // before bStart: already BeforeMissing
			a := idx.adds[m.i]
			c.NotClosed = append(c.NotClosed, cutElement{Value: a.v, InvokeTime: s.call(s.ops[a.op]), AckTime: m.ack})
		}
	}
	c.finish()
	return c
}

// finish sorts the lost writes, notes their span and caps the lists.
func (c *restoreCut) finish() {
	sortLost(c.lost)
	c.Lost = len(c.lost)
	if c.Lost > 0 {
		c.FirstLostAck, c.LastLostAck = c.lost[0].AckTime, c.lost[c.Lost-1].AckTime
	}
	c.Violations = len(c.BeforeMissing) + len(c.AfterPresent) + len(c.NotClosed) + c.Unexpected
	if c.LastPresentInv == math.MinInt64 {
		c.LastPresentInv = 0
	}
	c.BeforeMissing = c.BeforeMissing[:min(len(c.BeforeMissing), maxListed)]
	c.AfterPresent = c.AfterPresent[:min(len(c.AfterPresent), maxListed)]
	c.NotClosed = c.NotClosed[:min(len(c.NotClosed), maxListed)]
}

// presence: on any authoritative node, and absent from any.
func presence(idx *ledgerIndex, i int) (present, missing bool) {
	for _, n := range idx.nodes {
		if !n.auth {
			continue
		}
		if n.present.get(i) {
			present = true
		} else {
			missing = true
		}
	}
	return present, missing
}
