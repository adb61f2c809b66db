package history

// Op is one client operation: an invoke and its completion.
type Op struct {
	Process  int
	F        string
	Node     string // from the completion if it names one, else from the invoke
	Invoke   *Event
	Complete *Event // nil if the operation never completed
	Type     Type   // OK, Fail or Info; Info when Complete is nil
}

// Pairs matches every invoke with the next completion of the same process,
// in invoke order. A process has at most one outstanding operation: an
// invoke that is followed by another invoke of the same process, or by the
// end of the history, never completed and is Info. A completion without an
// outstanding invoke is ignored. The Ops point into events.
func Pairs(events []Event) []Op {
	var ops []Op
	open := make(map[int]int) // process -> index in ops
	for i := range events {
		e := &events[i]
		switch e.Type {
		case Invoke:
			open[e.Process] = len(ops)
			ops = append(ops, Op{Process: e.Process, F: e.F, Node: e.Node, Invoke: e, Type: Info})
		case OK, Fail, Info:
			j, ok := open[e.Process]
			if !ok {
				continue
			}
			delete(open, e.Process)
			op := &ops[j]
			op.Complete, op.Type = e, e.Type
			if e.Node != "" {
				op.Node = e.Node
			}
		}
	}
	return ops
}
