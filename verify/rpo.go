package verify

import (
	"context"
	"fmt"
)

// RPO measures, per fault window, how much acknowledged data was lost, as
// time. Each lost write (see LostWrites) belongs to the last fault that had
// started when it was acknowledged (writes acknowledged before the first
// fault belong to the first). The moment of a window is its first failover
// (a promote action inside it), else the fault's start. With lost writes,
//
//	RPO = max(moment, last lost ack) − first lost ack
//
// the span of acknowledged commits that were lost, reaching back from the
// moment; without, 0 with count 0. A window breaches its threshold when it
// lost anything and RPO exceeds the threshold (any loss breaches an RPO of
// 0); without a threshold it is Measured, however much it lost (the
// lost-writes check judges the loss itself). Lost writes in a run without faults form a window "(no fault)".
// Times are the harness's clock only.
type RPO struct{}

// Name is "rpo".
func (RPO) Name() string { return NameRPO }

// Check measures each window.
func (c RPO) Check(ctx context.Context, in *Input) Verdict {
	idx := in.ledger()
	if idx == nil || len(idx.nodes) == 0 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no final read of any node: lost writes unknown"}
	}
	lost := classify(idx).allLost
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	ws := faultWindows(in.Events)
	if len(ws) == 0 && len(lost) > 0 {
		ws = []faultWindow{{id: "(no fault)", kind: "none", start: lost[0].AckTime}}
	}
	out := rpoWindows(ws, lost, thresholdNS(in.Thresholds.RPO))
	return windowsVerdict(c.Name(), out, in.Thresholds.RPO != nil)
}

func rpoWindows(ws []faultWindow, lost []lostElement, th *int64) []Window {
	first := make([]int64, len(ws))
	last := make([]int64, len(ws))
	count := make([]int, len(ws))
	for _, l := range lost { // sorted by ack time
		i := windowOf(ws, l.AckTime)
		if count[i] == 0 {
			first[i] = l.AckTime
		}
		last[i] = l.AckTime
		count[i]++
	}
	out := make([]Window, len(ws))
	for i := range ws {
		w := &ws[i]
		out[i] = Window{Fault: w.id, Kind: w.kind, Start: w.start, End: w.healed, Metric: "rpo",
			Count: count[i], Threshold: th, Status: Valid}
		if count[i] > 0 {
			out[i].Value = max(w.moment(), last[i]) - first[i]
			out[i].Note = fmt.Sprintf("%d lost, acknowledged %s..%s, moment %s", count[i],
				nsString(first[i]), nsString(last[i]), nsString(w.moment()))
		}
		switch {
		case th == nil:
			out[i].Status = Measured
		case count[i] > 0 && (out[i].Value > *th || *th == 0):
			out[i].Status = Invalid
		}
	}
	return out
}
