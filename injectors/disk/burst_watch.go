package disk

import (
	"encoding/json"
	"math"
	"time"

	"faultline.dev/faultline/injectors"
)

// CreditSample is one sample of the diskCredits series: the balance after
// an observation of the node's served I/O and the limit in force.
type CreditSample struct {
	Balance      float64 `json:"balance"`
	Credits      int64   `json:"credits"` // capacity
	IOPS         float64 `json:"iops"`    // served since the previous sample
	Limit        string  `json:"limit"`   // burst or baseline
	LimitIOPS    int64   `json:"limitIops"`
	BaselineIOPS int64   `json:"baselineIops"`
	BurstIOPS    int64   `json:"burstIops"`
	Rewrite      bool    `json:"rewrite,omitempty"` // the throttle was rewritten with this sample
	Err          string  `json:"err,omitempty"`
}

func limitName(exhausted bool) string {
	if exhausted {
		return "baseline"
	}
	return "burst"
}

// tick reads the served I/O, updates the bucket, rewrites the throttle when
// the limit changed and records the balance.
func (f *Burst) tick(now time.Time) {
	tp := f.p.Throttle
	served, err := ReadServed(tp.Cgroup, tp.Version, tp.Device)
	f.mu.Lock()
	var s CreditSample
	if err != nil {
		s = f.sampleLocked(f.last, err)
	} else {
		st := f.bucket.Observe(Reading{At: now.Sub(f.start), IOs: served.IOs})
		if st.Switched {
			err = f.rewriteLocked(st)
		}
		f.last, f.lowest = st, math.Min(f.lowest, st.Balance)
		s = f.sampleLocked(st, err)
		s.Rewrite = st.Switched
	}
	f.mu.Unlock()
	f.emit(s)
}

// rewriteLocked sets the throttle to the limit of st and records the rewrite.
func (f *Burst) rewriteLocked(st BucketState) error {
	writes := f.th.limitWrites(f.p.Volume.Limits(st.Exhausted))
	for _, w := range writes {
		if err := writeCg(f.p.Throttle.Cgroup, w); err != nil {
			return err
		}
	}
	f.rewrites = append(f.rewrites, Rewrite{After: st.At, Balance: st.Balance, To: limitName(st.Exhausted), Writes: writes})
	if st.Exhausted {
		select {
		case <-f.exhausted:
		default:
			close(f.exhausted)
		}
	}
	return nil
}

func (f *Burst) sampleLocked(st BucketState, err error) CreditSample {
	v := f.p.Volume
	s := CreditSample{
		Balance: math.Round(st.Balance*10) / 10, Credits: v.Credits, IOPS: math.Round(st.Rate),
		Limit: limitName(f.bucket.Exhausted()), LimitIOPS: v.Limits(f.bucket.Exhausted()).WriteIOPS,
		BaselineIOPS: v.BaselineIOPS, BurstIOPS: v.BurstIOPS,
	}
	if err != nil {
		s.Err = err.Error()
	}
	return s
}

func (f *Burst) emit(s CreditSample) {
	if f.record == nil {
		return
	}
	b, _ := json.Marshal(s)
	f.record(injectors.Sample{Series: SeriesCredits, Node: f.p.Throttle.Node, Value: b})
}

// limitWrites are the writes that set the throttle to l, whole: every
// limit of l's shape is written, so a rewrite is the full desired state.
func (f *Throttle) limitWrites(l Limits) []Write {
	if f.p.Version == 2 {
		return []Write{V2Write(f.p.Device, l, false)}
	}
	return V1Writes(f.p.Device, l, false)
}
