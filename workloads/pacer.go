package workloads

import (
	"sync"
	"time"
)

// pacer spreads the pool's operations at a global rate. Closed loop, it is
// a token bucket of depth one shared by every client: a client waits for
// the next slot, and slots missed while every client was busy are not made
// up later. Open loop, slots are fixed on the schedule start + k/rate
// whatever happens to the operations; a client that picks up a late slot
// starts at once and the event records the slot as its intended start, so
// a stall shows as latency instead of as fewer operations. Slots later than
// maxLag are dropped (counted, not recorded: no request was attempted).
type pacer struct {
	interval time.Duration // 0 = unlimited
	open     bool
	maxLag   time.Duration

	mu      sync.Mutex
	next    time.Time
	dropped int64
}

func newPacer(rate float64, open bool, maxLag time.Duration) *pacer {
	p := &pacer{open: open, maxLag: maxLag}
	if rate > 0 {
		p.interval = time.Duration(float64(time.Second) / rate)
		if p.interval <= 0 {
			p.interval = 1
		}
	}
	return p
}

// take reserves the next slot at or after now and returns when the
// operation should start.
func (p *pacer) take(now time.Time) time.Time {
	if p.interval == 0 {
		return now
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next.IsZero() {
		p.next = now
	}
	if lag := now.Sub(p.next); lag > 0 {
		if !p.open {
			p.next = now
		} else if p.maxLag > 0 && lag > p.maxLag {
			skip := (lag - p.maxLag + p.interval - 1) / p.interval
			p.dropped += int64(skip)
			p.next = p.next.Add(skip * p.interval)
		}
	}
	t := p.next
	p.next = p.next.Add(p.interval)
	return t
}

// Dropped is the number of open-loop slots dropped for being too late.
func (p *pacer) Dropped() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}
