package workloads

import (
	"sync"

	"faultline.dev/faultline/history"
)

// EventWriter is the history store's writer (history.Writer).
type EventWriter interface {
	Write(e *history.Event) error
}

// WriterRecorder records into a history writer and keeps the first write
// error, which the runner checks after the pool has run: a history that
// could not be written makes the run a harness failure.
type WriterRecorder struct {
	W EventWriter

	mu  sync.Mutex
	err error
}

// Record writes e.
func (r *WriterRecorder) Record(e *history.Event) {
	if err := r.W.Write(e); err != nil {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
}

// Err is the first write error, or nil.
func (r *WriterRecorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

var (
	_ Recorder    = NopRecorder{}
	_ Recorder    = (*WriterRecorder)(nil)
	_ EventWriter = (*history.Writer)(nil)
)
