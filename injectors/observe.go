package injectors

import "encoding/json"

// Sample is one observation a fault made of its target while in effect (a
// disk's credit balance), recorded in the history as it happens.
type Sample struct {
	Series string          // what is measured, e.g. "diskCredits"
	Node   string          // the node it concerns
	Value  json.RawMessage // the measurement; its shape belongs to the series
}

// Sampler is a fault that keeps observing its target while it is injected
// and reports what it sees. The runner calls SampleTo once, before Inject,
// with the function that records a sample; the fault calls it from any
// goroutine until its Recover returns.
type Sampler interface {
	SampleTo(record func(Sample))
}

// WindowEnder is a fault whose Verify may wait for its effect for as long as
// the fault is in place, because the effect comes from the target's own
// behaviour rather than from the injection (a disk's credits that the
// workload exhausts). The runner calls EndWindow when the fault's heal is
// due (or the workload ended), possibly more than once; a Verify still
// waiting then returns with what it saw.
type WindowEnder interface {
	EndWindow()
}
