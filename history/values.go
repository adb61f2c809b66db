package history

import (
	"encoding/json"
	"fmt"
)

// Value shapes of each workload's operations (Event.F and Event.Value).
//
//	ledger       f=add       value: 42 (unique int64, on invoke and ok)
//	bank         f=transfer  value: {"from":1,"to":3,"amount":5}
//	             f=read      value: null on invoke; {"balances":[100,95,…]} on ok (index = account id)
//	list-append  f=txn       value: [["append",3,17],["r",4,null]] on invoke;
//	                                [["append",3,17],["r",4,[1,2,17]]] on ok
//	register     f=read      value: {"k":1} on invoke; {"k":1,"v":5} on ok ("v" absent = null)
//	             f=write     value: {"k":1,"v":7}
//	             f=cas       value: {"k":1,"old":7,"new":9}

// Transfer is a bank transfer.
type Transfer struct {
	From   int64 `json:"from"`
	To     int64 `json:"to"`
	Amount int64 `json:"amount"`
}

// BankRead is the result of reading every balance in one transaction.
type BankRead struct {
	Balances []int64 `json:"balances"`
}

// RegisterOp is a register read, write or compare-and-set.
type RegisterOp struct {
	K   int64  `json:"k"`
	V   *int64 `json:"v,omitempty"`   // read result or written value
	Old *int64 `json:"old,omitempty"` // cas expected
	New *int64 `json:"new,omitempty"` // cas new value
}

// Micro-op functions of a list-append transaction.
const (
	MopAppend = "append"
	MopRead   = "r"
)

// MicroOp is one operation of a list-append transaction, encoded as a JSON
// array [f, k, v]: v is the appended value, or the list read (null when not
// known, i.e. on invoke).
type MicroOp struct {
	F string
	K int64
	V int64   // appended value (append)
	L []int64 // list read (r); nil = not known
}

// MarshalJSON encodes [f, k, v].
func (m MicroOp) MarshalJSON() ([]byte, error) {
	if m.F == MopAppend {
		return json.Marshal([]any{m.F, m.K, m.V})
	}
	if m.L == nil {
		return json.Marshal([]any{m.F, m.K, nil})
	}
	return json.Marshal([]any{m.F, m.K, m.L})
}

// UnmarshalJSON decodes [f, k, v].
func (m *MicroOp) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != 3 {
		return fmt.Errorf("micro-op: expected [f, k, v], got %s", b)
	}
	if err := json.Unmarshal(raw[0], &m.F); err != nil {
		return fmt.Errorf("micro-op f: %w", err)
	}
	if err := json.Unmarshal(raw[1], &m.K); err != nil {
		return fmt.Errorf("micro-op k: %w", err)
	}
	switch m.F {
	case MopAppend:
		return json.Unmarshal(raw[2], &m.V)
	case MopRead:
		m.L = nil
		if string(raw[2]) == "null" {
			return nil
		}
		m.L = []int64{}
		return json.Unmarshal(raw[2], &m.L)
	}
	return fmt.Errorf("micro-op: unknown function %q", m.F)
}
