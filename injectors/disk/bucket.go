package disk

import "time"

// Bucket is the burst-credit bucket of a cloud volume (AWS gp2, an ESSD
// burst budget): credits are I/O operations; they accrue at the baseline
// rate and every I/O the volume serves spends one, so a volume doing more
// than its baseline drains the bucket at the excess rate and an idle one
// refills it at the baseline rate, up to the capacity. While the bucket
// holds credits the volume may run at its burst limit; once they run out it
// is held to its baseline until the balance has refilled to Rearm.
//
// Bucket is pure: it is fed the cumulative count of I/Os served (read from
// the node's cgroup) and says which limit applies. It is not safe for
// concurrent use.
type Bucket struct {
	capacity, baseline, rearm float64
	balance                   float64
	exhausted                 bool
	last                      Reading
	seen                      bool
}

// Reading is a cumulative count of I/Os served, taken At a time since any
// fixed origin.
type Reading struct {
	At  time.Duration
	IOs int64
}

// BucketState is the bucket after an observation.
type BucketState struct {
	At        time.Duration
	Balance   float64 // credits left
	Rate      float64 // I/Os per second served since the previous reading
	Exhausted bool    // the baseline limit applies
	Switched  bool    // the limit changed with this observation
}

// NewBucket is a bucket of capacity credits holding initial, accruing
// baseline credits a second; an exhausted bucket allows the burst limit
// again at rearm credits (clamped to 0 < rearm ≤ capacity).
func NewBucket(capacity, initial, baseline, rearm float64) *Bucket {
	rearm = min(max(rearm, 1), capacity)
	b := &Bucket{capacity: capacity, baseline: baseline, rearm: rearm, balance: min(max(initial, 0), capacity)}
	b.exhausted = b.balance <= 0
	return b
}

// Observe feeds the cumulative count r. The first reading only sets the
// origin; a count that went backwards (the cgroup was recreated) restarts
// from it without spending.
func (b *Bucket) Observe(r Reading) BucketState {
	st := BucketState{At: r.At}
	if b.seen && r.At > b.last.At {
		dt := (r.At - b.last.At).Seconds()
		ios := float64(max(r.IOs-b.last.IOs, 0))
		st.Rate = ios / dt
		b.balance = min(max(b.balance+b.baseline*dt-ios, 0), b.capacity)
	}
	if !b.seen || r.At > b.last.At {
		b.last, b.seen = r, true
	}
	switch {
	case !b.exhausted && b.balance <= 0:
		b.exhausted, st.Switched = true, true
	case b.exhausted && b.balance >= b.rearm:
		b.exhausted, st.Switched = false, true
	}
	st.Balance, st.Exhausted = b.balance, b.exhausted
	return st
}

// Balance is the credits left.
func (b *Bucket) Balance() float64 { return b.balance }

// Exhausted reports whether the baseline limit applies.
func (b *Bucket) Exhausted() bool { return b.exhausted }
