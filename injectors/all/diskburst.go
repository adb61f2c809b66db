package all

import (
	"context"
	"fmt"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/disk"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// DiskBurstKind is the diskBurst fault kind, registered whole by the local
// provider: each selected node's disk behaves like a cloud volume with
// burst credits (gp2, an ESSD burst budget), its blkio/io.max throttle
// rewritten from burst to baseline when the node's own I/O has spent them.
func DiskBurstKind() targets.Kind {
	return targets.Kind{
		Spelling: scenarios.Spell(scenarios.KindSpec{Name: disk.KindBurst, Family: scenarios.FamilyDisk, Selects: true}, diskBurstRules),
		Life:     injectors.Lifecycle{Proof: "the throttle read back from the node's cgroup at the limit the credit balance prescribes, with the rewrite when the credits ran out"},
		Build:    buildDiskBurst,
		Rebuild:  multi(disk.KindBurst, disk.BurstFromParams),
	}
}

// DiskBurst is how a step spells the kind:
//
//	diskBurst: {baselineIops: 100, burstIops: 3000, credits: 20000}
//
// Credits are I/O operations; initialCredits defaults to a full bucket.
// baselineBps and burstBps, given together, limit the bandwidth as well.
type DiskBurst struct {
	BaselineIOPS   int                `json:"baselineIops" yaml:"baselineIops"`
	BurstIOPS      int                `json:"burstIops" yaml:"burstIops"`
	Credits        *int64             `json:"credits,omitempty" yaml:"credits,omitempty"`
	InitialCredits *int64             `json:"initialCredits,omitempty" yaml:"initialCredits,omitempty"`
	BaselineBPS    scenarios.Size     `json:"baselineBps,omitempty" yaml:"baselineBps,omitempty"`
	BurstBPS       scenarios.Size     `json:"burstBps,omitempty" yaml:"burstBps,omitempty"`
	Interval       scenarios.Duration `json:"interval,omitempty" yaml:"interval,omitempty"`
}

func diskBurstRules(p *DiskBurst, r scenarios.Rules) {
	for _, f := range []struct {
		name string
		v    int
	}{{"baselineIops", p.BaselineIOPS}, {"burstIops", p.BurstIOPS}} {
		if f.v <= 0 {
			r.Errorf(f.name, "%s %d; expected > 0 I/O operations per second", f.name, f.v)
		}
	}
	if p.BaselineIOPS > 0 && p.BurstIOPS > 0 && p.BurstIOPS < p.BaselineIOPS {
		r.Errorf("burstIops", "burstIops %d below baselineIops %d; expected burst ≥ baseline", p.BurstIOPS, p.BaselineIOPS)
	}
	switch {
	case p.Credits == nil:
		r.Errorf("", "missing credits; expected the bucket's size in I/O operations, e.g. credits: 20000")
	case *p.Credits <= 0:
		r.Errorf("credits", "credits %d; expected > 0 I/O operations", *p.Credits)
	case p.InitialCredits != nil && (*p.InitialCredits < 0 || *p.InitialCredits > *p.Credits):
		r.Errorf("initialCredits", "initialCredits %d; expected 0..%d (credits)", *p.InitialCredits, *p.Credits)
	}
	diskBurstBandwidthRules(p, r)
	if p.Interval != 0 && (p.Interval.D() < 10*time.Millisecond || p.Interval.D() > 10*time.Second) {
		r.Errorf("interval", "interval %s; expected 10ms..10s", p.Interval)
	}
}

func diskBurstBandwidthRules(p *DiskBurst, r scenarios.Rules) {
	switch {
	case p.BaselineBPS < 0 || p.BurstBPS < 0:
		r.Errorf("", "negative bandwidth; expected baselineBps and burstBps > 0")
	case (p.BaselineBPS > 0) != (p.BurstBPS > 0):
		r.Errorf("", "baselineBps and burstBps go together; expected both or neither")
	case p.BurstBPS < p.BaselineBPS:
		r.Errorf("burstBps", "burstBps %s below baselineBps %s; expected burst ≥ baseline", p.BurstBPS, p.BaselineBPS)
	}
}

// volume is the disk.Volume a validated spelling describes.
func (p DiskBurst) volume() disk.Volume {
	v := disk.Volume{BaselineIOPS: int64(p.BaselineIOPS), BurstIOPS: int64(p.BurstIOPS),
		BaselineBPS: int64(p.BaselineBPS), BurstBPS: int64(p.BurstBPS), Interval: p.Interval.D()}
	if p.Credits != nil {
		v.Credits, v.Initial = *p.Credits, *p.Credits
	}
	if p.InitialCredits != nil {
		v.Initial = *p.InitialCredits
	}
	return v
}

func buildDiskBurst(_ context.Context, s targets.Session, st targets.Step) (injectors.Fault, error) {
	var p DiskBurst
	if err := decode(disk.KindBurst, st.Params, &p); err != nil {
		return nil, err
	}
	m, ok := s.(targets.Machine)
	if !ok {
		return nil, fmt.Errorf("diskBurst: %s is not a machine-local target (its nodes' cgroups are out of reach)", s.Name())
	}
	v := p.volume()
	return perNode(disk.KindBurst, st.Nodes, func(n string) (injectors.Fault, error) {
		h, err := m.Handles(n)
		if err != nil {
			return nil, fmt.Errorf("disk burst on %s: %w", n, err)
		}
		pid, err := m.PID(n)
		if err != nil {
			return nil, fmt.Errorf("disk burst on %s: %w", n, err)
		}
		return disk.NewBurst(st.RunID, n, pid, h.BlockDevice, h.DataDir, v)
	})
}
