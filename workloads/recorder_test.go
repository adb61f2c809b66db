package workloads

import (
	"sync"
	"testing"

	"faultline.dev/faultline/history"
)

// memRecorder keeps every event in memory.
type memRecorder struct {
	mu     sync.Mutex
	events []*history.Event
}

func (m *memRecorder) Record(e *history.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
}

// opPair is one operation: its invoke and completion.
type opPair struct {
	inv, done *history.Event
}

// pairs checks that every invoke has exactly one completion, from the same
// client, that no client has two operations in flight, and that completions
// are ok, fail or info; it returns the operations.
func (m *memRecorder) pairs(t *testing.T) []opPair {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	open := map[int]*history.Event{}
	var out []opPair
	for _, e := range m.events {
		switch e.Type {
		case history.Invoke:
			if open[e.Process] != nil {
				t.Fatalf("client %d invoked twice without completion", e.Process)
			}
			open[e.Process] = e
		case history.OK, history.Fail, history.Info:
			inv := open[e.Process]
			if inv == nil {
				t.Fatalf("client %d completed %s without invoke", e.Process, e.Type)
			}
			if inv.F != e.F || inv.Node != e.Node || e.Time < inv.Time {
				t.Fatalf("completion %+v does not match invoke %+v", e, inv)
			}
			delete(open, e.Process)
			out = append(out, opPair{inv, e})
		default:
			t.Fatalf("unexpected event type %s", e.Type)
		}
	}
	if len(open) != 0 {
		t.Fatalf("%d operations without completion after Run returned", len(open))
	}
	return out
}

func countTypes(ops []opPair) map[history.Type]int {
	c := map[history.Type]int{}
	for _, o := range ops {
		c[o.done.Type]++
	}
	return c
}
