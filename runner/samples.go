package runner

import (
	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
)

// attachSampler hands a fault that observes its target while in effect the
// function that records its samples in the history.
func (r *run) attachSampler(sg *stepGuard) {
	s, ok := sg.fault.(injectors.Sampler)
	if !ok {
		return
	}
	s.SampleTo(func(x injectors.Sample) {
		r.record(&history.Event{Process: history.ProcessNemesis, Type: history.Sample, F: x.Series, Node: x.Node, Value: x.Value})
	})
}

// endWindow tells a fault whose Verify waits for its effect that its window
// is over, so the heal is not held up.
func (r *run) endWindow(sg *stepGuard) {
	if w, ok := sg.fault.(injectors.WindowEnder); ok {
		w.EndWindow()
	}
}

// endWindows ends the window of every fired fault: the workload is over.
func (r *run) endWindows() {
	r.mu.Lock()
	gs := append([]*stepGuard(nil), r.guards...)
	r.mu.Unlock()
	for _, sg := range gs {
		if sg != nil {
			r.endWindow(sg)
		}
	}
}
