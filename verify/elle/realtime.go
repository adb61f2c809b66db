package elle

import (
	"cmp"
	"slices"

	"faultline.dev/faultline/history"
)

// sweepEvent is an invoke or a completion in the real-time sweep.
type sweepEvent struct {
	time     int64
	complete bool
	txn      int32
}

// realtimeEdges links a committed transaction A to B when A completed before
// B was invoked, keeping only enough edges for reachability: sweeping events
// in time order, the frontier holds the completed transactions not yet
// followed by another completed one; an invoke links the whole frontier to
// it, and a completion replaces the frontier members linked to it by
// itself. Edges number O(n × concurrency).
func (c *checker) realtimeEdges(es *edges, byInvoke []int32) error {
	evs := make([]sweepEvent, 0, 2*len(byInvoke))
	for _, id := range byInvoke {
		t := &c.txns[id]
		evs = append(evs, sweepEvent{time: t.Invoke, txn: id})
		if t.Status == history.OK {
			evs = append(evs, sweepEvent{time: t.Complete, complete: true, txn: id})
		}
	}
	// Invokes sort before completions at the same instant: equal times are
	// concurrent, not ordered.
	slices.SortStableFunc(evs, func(a, b sweepEvent) int {
		if a.time != b.time {
			return cmp.Compare(a.time, b.time)
		}
		switch {
		case a.complete == b.complete:
			return 0
		case a.complete:
			return 1
		}
		return -1
	})
	var f frontier
	preds := make(map[int32][]int32, 64) // outstanding txn → frontier at its invoke
	for _, ev := range evs {
		if err := c.tick(); err != nil {
			return err
		}
		if !ev.complete {
			for _, p := range f.members {
				es.add(p, ev.txn, rt, -1)
			}
			if c.txns[ev.txn].Status == history.OK {
				preds[ev.txn] = slices.Clone(f.members)
			}
			continue
		}
		for _, p := range preds[ev.txn] {
			f.remove(p)
		}
		delete(preds, ev.txn)
		f.insert(ev.txn)
	}
	return nil
}

// frontier is a set of transactions with O(1) insert and remove.
type frontier struct {
	members []int32
	at      map[int32]int
}

func (f *frontier) insert(id int32) {
	if f.at == nil {
		f.at = map[int32]int{}
	}
	f.at[id] = len(f.members)
	f.members = append(f.members, id)
}

func (f *frontier) remove(id int32) {
	i, ok := f.at[id]
	if !ok {
		return
	}
	last := f.members[len(f.members)-1]
	f.members[i] = last
	f.at[last] = i
	f.members = f.members[:len(f.members)-1]
	delete(f.at, id)
}
