package disk

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"faultline.dev/faultline/injectors"
)

// KindBurst is the registered kind of a burst-credit disk.
const KindBurst = "diskBurst"

// SeriesCredits is the history series of a burst disk's balance.
const SeriesCredits = "diskCredits"

// DefaultBurstInterval is how often a burst disk reads the served I/O and
// updates its bucket.
const DefaultBurstInterval = 250 * time.Millisecond

// Volume is the cloud volume a burst disk behaves like: limits while it
// holds credits (burst) and once they ran out (baseline), the bucket's
// capacity and its balance at the start. IOPS limits apply to reads and to
// writes each; the bandwidth limits (0 = none) switch with them.
type Volume struct {
	BaselineIOPS int64         `json:"baselineIops"`
	BurstIOPS    int64         `json:"burstIops"`
	Credits      int64         `json:"credits"`
	Initial      int64         `json:"initialCredits"`
	BaselineBPS  int64         `json:"baselineBps,omitempty"`
	BurstBPS     int64         `json:"burstBps,omitempty"`
	Interval     time.Duration `json:"interval"`
}

// Limits are the throttle values of the burst limit, or of the baseline
// when exhausted.
func (v Volume) Limits(exhausted bool) Limits {
	iops, bps := v.BurstIOPS, v.BurstBPS
	if exhausted {
		iops, bps = v.BaselineIOPS, v.BaselineBPS
	}
	return Limits{ReadIOPS: iops, WriteIOPS: iops, ReadBPS: bps, WriteBPS: bps}
}

// rearm is the balance at which an exhausted volume bursts again: one
// second of burst above the baseline (at most the capacity), so the limit
// does not flap at every refilled credit.
func (v Volume) rearm() float64 { return float64(min(v.Credits, v.BurstIOPS-v.BaselineIOPS)) }

// BurstParams is everything needed to undo a burst disk: its throttle.
type BurstParams struct {
	Throttle Params `json:"throttle"`
	Volume   Volume `json:"volume"`
}

// Rewrite is one change of the throttle the bucket made.
type Rewrite struct {
	After   time.Duration `json:"after"` // since Inject
	Balance float64       `json:"balance"`
	To      string        `json:"to"` // "baseline" or "burst"
	Writes  []Write       `json:"writes"`
}

// Burst throttles a node's I/O like a cloud volume with burst credits: the
// node's served I/O, read from its cgroup every Interval, drains a Bucket;
// while it holds credits the throttle is at the burst limits, and it is
// rewritten to the baseline when they run out (and back once refilled).
type Burst struct {
	p       BurstParams
	th      *Throttle
	record  func(injectors.Sample)
	window  chan struct{} // closed by EndWindow
	endOnce sync.Once

	mu        sync.Mutex
	bucket    *Bucket
	start     time.Time
	last      BucketState
	lowest    float64
	rewrites  []Rewrite
	exhausted chan struct{} // closed when the credits first ran out
	stop      chan struct{}
	done      chan struct{} // closed when the loop ended; nil when not running
	burstLat  time.Duration // sync write inside the cgroup at the start
}

var (
	_ injectors.Fault       = (*Burst)(nil)
	_ injectors.Verifier    = (*Burst)(nil)
	_ injectors.Sampler     = (*Burst)(nil)
	_ injectors.WindowEnder = (*Burst)(nil)
)

// NewBurst builds a burst disk of the process pid on device (MAJ:MIN).
func NewBurst(runID, node string, pid int, device, dataDir string, v Volume) (*Burst, error) {
	if v.Interval <= 0 {
		v.Interval = DefaultBurstInterval
	}
	th, err := New(runID, node, pid, device, dataDir, v.Limits(v.Initial <= 0))
	if err != nil {
		return nil, fmt.Errorf("disk burst: %w", err)
	}
	return newBurst(BurstParams{Throttle: th.p, Volume: v}), nil
}

// BurstFromParams rebuilds a burst disk from its BurstParams; Recover is
// all it is rebuilt for.
func BurstFromParams(raw json.RawMessage) (*Burst, error) {
	var p BurstParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("disk burst params: %w", err)
	}
	return newBurst(p), nil
}

func newBurst(p BurstParams) *Burst {
	return &Burst{p: p, th: &Throttle{p.Throttle}, window: make(chan struct{}), exhausted: make(chan struct{})}
}

// Kind is "diskBurst".
func (*Burst) Kind() string { return KindBurst }

// Params is the JSON of BurstParams.
func (f *Burst) Params() json.RawMessage {
	b, _ := json.Marshal(f.p)
	return b
}

// SampleTo sets where the balance is recorded.
func (f *Burst) SampleTo(record func(injectors.Sample)) { f.record = record }

// EndWindow makes a waiting Verify return.
func (f *Burst) EndWindow() { f.endOnce.Do(func() { close(f.window) }) }

// Inject throttles the node at the limit of its initial balance, measures a
// sync write under it, then starts following the node's served I/O.
func (f *Burst) Inject(ctx context.Context) error {
	if err := f.th.Inject(ctx); err != nil {
		return err
	}
	f.burstLat, _ = WriteLatency(ctx, f.p.Throttle.DataDir, f.p.Throttle.Cgroup)
	v := f.p.Volume
	f.bucket = NewBucket(float64(v.Credits), float64(v.Initial), float64(v.BaselineIOPS), v.rearm())
	f.lowest = f.bucket.Balance()
	if f.bucket.Exhausted() {
		close(f.exhausted)
	}
	f.start = time.Now()
	f.tick(f.start)
	f.stop, f.done = make(chan struct{}), make(chan struct{})
	go f.loop()
	return nil
}

func (f *Burst) loop() {
	defer close(f.done)
	t := time.NewTicker(f.p.Volume.Interval)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case now := <-t.C:
			f.tick(now)
		}
	}
}

// Recover stops following the I/O, then clears the throttle and removes
// its cgroup (a missing cgroup is fine).
func (f *Burst) Recover(ctx context.Context) error {
	if f.done != nil {
		select {
		case <-f.done:
		default:
			close(f.stop)
			<-f.done
		}
	}
	return f.th.Recover(ctx)
}
