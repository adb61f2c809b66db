package verify

import (
	"encoding/json"
	"math"
	"sync"

	"faultline.dev/faultline/history"
)

// op is one client operation: the indexes of its invoke event and of its
// completion in Input.Events (done < 0: the history ended first, so the
// operation is indeterminate).
type op struct {
	inv, done int32
}

// opSet pairs invokes with completions. A process has at most one
// outstanding operation: a second invoke before a completion leaves the
// first one without completion (indeterminate).
type opSet struct {
	ev  []history.Event
	ops []op
	end int64 // time of the last event
}

// derived holds indexes shared by the checkers of one Input.
type derived struct {
	ops *opSet

	ledgerOnce sync.Once
	ledger     *ledgerIndex
}

// index returns the shared indexes of in, building them on first use.
func (in *Input) index() *derived {
	in.once.Do(func() {
		in.derived = &derived{ops: pairOps(in.Events)}
	})
	return in.derived
}

func pairOps(events []history.Event) *opSet {
	s := &opSet{ev: events, ops: make([]op, 0, len(events)/2)}
	pending := map[int]int32{}
	for i := range events {
		e := &events[i]
		s.end = max(s.end, e.Time)
		switch e.Type {
		case history.Invoke:
			pending[e.Process] = int32(len(s.ops))
			s.ops = append(s.ops, op{inv: int32(i), done: -1})
		case history.OK, history.Fail, history.Info:
			if j, ok := pending[e.Process]; ok {
				s.ops[j].done = int32(i)
				delete(pending, e.Process)
			}
		}
	}
	return s
}

// typ is OK, Fail or Info (Info also when the operation never completed).
func (s *opSet) typ(o op) history.Type {
	if o.done < 0 {
		return history.Info
	}
	return s.ev[o.done].Type
}

func (s *opSet) f(o op) string     { return s.ev[o.inv].F }
func (s *opSet) call(o op) int64   { return s.ev[o.inv].Time }
func (s *opSet) process(o op) int  { return s.ev[o.inv].Process }
func (s *opSet) input(o op) []byte { return s.ev[o.inv].Value }

// ret is the completion time, or MaxInt64 when the operation never completed.
func (s *opSet) ret(o op) int64 {
	if o.done < 0 {
		return math.MaxInt64
	}
	return s.ev[o.done].Time
}

// output is the completion's value, or nil.
func (s *opSet) output(o op) json.RawMessage {
	if o.done < 0 {
		return nil
	}
	return s.ev[o.done].Value
}

// node is the node that answered (the completion's), else the invoke's.
func (s *opSet) node(o op) string {
	if o.done >= 0 && s.ev[o.done].Node != "" {
		return s.ev[o.done].Node
	}
	return s.ev[o.inv].Node
}

// writeFuncs are the operations that change data, per workload.
var writeFuncs = map[string]bool{"add": true, "transfer": true, "write": true, "cas": true, "txn": true}

// parseInt64 decodes a JSON integer, without allocating in the common case.
func parseInt64(b []byte) (int64, bool) {
	if v, ok := fastInt(b); ok {
		return v, true
	}
	var v int64
	err := json.Unmarshal(b, &v)
	return v, err == nil
}

// fastInt parses up to 18 plain decimal digits with an optional minus sign.
func fastInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// toJSON encodes evidence; evidence types always encode.
func toJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"encodeError": err.Error()})
	}
	return b
}
