package elle

import (
	"encoding/json"
	"fmt"

	"faultline.dev/faultline/history"
)

// FuncTxn is the Event.F of a list-append transaction.
const FuncTxn = "txn"

// Txn is one list-append transaction: an invoke paired with its completion.
type Txn struct {
	Process int
	// Status is history.OK (committed), history.Fail (did not happen) or
	// history.Info (may have happened; also a transaction never completed).
	Status history.Type
	// Invoke and Complete are harness times in ns; Complete is meaningful
	// only for OK and Fail.
	Invoke, Complete int64
	// InvokeIndex and CompleteIndex are history event indexes (-1: none).
	InvokeIndex, CompleteIndex int64
	// Ops are the completion's micro-ops when OK (reads carry their
	// results), the invoke's otherwise (reads unknown).
	Ops []history.MicroOp
}

// FromHistory pairs the invoke and completion events of every list-append
// transaction in events (other events are skipped). A process has at most one
// outstanding operation; an invoke never completed is indeterminate (Info).
func FromHistory(events []history.Event) ([]Txn, error) {
	var txns []Txn
	open := map[int]int{} // process → index in txns
	for i := range events {
		e := &events[i]
		if !e.IsOp() || e.F != FuncTxn {
			continue
		}
		if e.Type == history.Invoke {
			if j, busy := open[e.Process]; busy {
				return nil, fmt.Errorf("history event %d: process %d invoked a txn while its txn invoked at event %d is outstanding",
					e.Index, e.Process, txns[j].InvokeIndex)
			}
			ops, err := decodeOps(e.Value)
			if err != nil {
				return nil, fmt.Errorf("history event %d: %w", e.Index, err)
			}
			open[e.Process] = len(txns)
			txns = append(txns, Txn{Process: e.Process, Status: history.Info, Invoke: e.Time,
				InvokeIndex: e.Index, CompleteIndex: -1, Ops: ops})
			continue
		}
		j, busy := open[e.Process]
		if !busy {
			return nil, fmt.Errorf("history event %d: process %d completed a txn it never invoked", e.Index, e.Process)
		}
		delete(open, e.Process)
		if err := complete(&txns[j], e); err != nil {
			return nil, err
		}
	}
	return txns, nil
}

// complete records completion e of t.
func complete(t *Txn, e *history.Event) error {
	t.Status, t.Complete, t.CompleteIndex = e.Type, e.Time, e.Index
	if e.Type != history.OK || len(e.Value) == 0 || string(e.Value) == "null" {
		return nil
	}
	ops, err := decodeOps(e.Value)
	if err != nil {
		return fmt.Errorf("history event %d: %w", e.Index, err)
	}
	t.Ops = ops
	return nil
}

func decodeOps(v json.RawMessage) ([]history.MicroOp, error) {
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	if ops, ok := parseOps(v); ok {
		return ops, nil
	}
	var ops []history.MicroOp
	if err := json.Unmarshal(v, &ops); err != nil {
		return nil, fmt.Errorf("decode list-append txn: %w", err)
	}
	return ops, nil
}

// ref describes txn id for an anomaly.
func (c *checker) ref(id int32) TxnRef {
	t := &c.txns[id]
	return TxnRef{ID: int(id), Process: t.Process, Status: t.Status, Index: t.InvokeIndex, Ops: t.Ops}
}
