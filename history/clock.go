package history

import "time"

// Clock is the harness's run clock: monotonic nanoseconds since the run
// started, immune to wall-clock steps (and to the clock faults faultline
// itself injects into database nodes).
type Clock struct {
	start time.Time
}

// NewClock starts a clock now.
func NewClock() *Clock {
	return &Clock{start: time.Now()}
}

// Now is the number of nanoseconds since the clock started, read from the
// monotonic clock.
func (c *Clock) Now() int64 {
	return int64(time.Since(c.start))
}

// Wall is the current wall time in unix nanoseconds, for people only.
func (c *Clock) Wall() int64 {
	return time.Now().UnixNano()
}

// Start is the wall time at which the clock started.
func (c *Clock) Start() time.Time {
	return c.start
}
