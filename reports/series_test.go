package reports

import (
	"testing"

	"faultline.dev/faultline/history"
)

// fold runs events through a builder and returns the model it fills.
func fold(events ...history.Event) *Model {
	b := newBuilder(nil)
	for i := range events {
		b.add(&events[i])
	}
	m := &Model{}
	b.finish(m)
	return m
}

func TestLatencyRunsFromIntendedStart(t *testing.T) {
	m := fold(
		history.Event{Time: 2 * sec, Intended: 1 * sec, Process: 1, Type: history.Invoke},
		history.Event{Time: 2*sec + 5e6, Process: 1, Type: history.OK},
		history.Event{Time: 2*sec + 1e6, Process: 2, Type: history.Invoke},
		history.Event{Time: 2*sec + 3e6, Process: 2, Type: history.Info},
		history.Event{Time: 3 * sec, Process: 3, Type: history.Invoke},
	)
	s := m.Seconds[2]
	if s.OK != 1 || s.Info != 1 || s.Samples != 2 {
		t.Fatalf("second 2 = %+v", s)
	}
	if s.Max != sec+5e6 {
		t.Errorf("max = %d, want %d (from the intended start, not the late invoke)", s.Max, sec+5e6)
	}
	if s.P50 < 1.99e6 || s.P50 > 2.01e6 {
		t.Errorf("p50 = %d, want ≈ 2ms", s.P50)
	}
	if m.Counts.Pending != 1 || m.Counts.Invoke != 3 {
		t.Errorf("counts = %+v", m.Counts)
	}
}

func TestLatencySecondsCloseBehindTheNewest(t *testing.T) {
	var events []history.Event
	for s := int64(0); s < 100; s++ {
		events = append(events,
			history.Event{Time: s * sec, Process: 1, Type: history.Invoke},
			history.Event{Time: s*sec + (s+1)*1e6, Process: 1, Type: history.OK})
	}
	b := newBuilder(nil)
	for i := range events {
		b.add(&events[i])
	}
	if open := len(b.lat.open); open > openSeconds+2 {
		t.Errorf("%d seconds still open after 100 s, want ≤ %d", open, openSeconds+2)
	}
	m := &Model{}
	b.finish(m)
	for s, sec := range m.Seconds[:100] {
		want := int64(s+1) * 1e6
		if sec.P99 < want*99/100 || sec.P99 > want || sec.Max != want {
			t.Fatalf("second %d = %+v, want p99 ≈ max = %d", s, sec, want)
		}
	}
}

func TestFaultWindowsAndRoleLanes(t *testing.T) {
	fault := func(t int64, id string, p history.FaultPhase) history.Event {
		return history.Event{Time: t, Process: history.ProcessNemesis, Type: history.Fault,
			Fault: &history.FaultEvent{ID: id, Kind: "partition", Phase: p, Targets: []string{"n2"}}}
	}
	probe := func(t int64, role string, reachable bool) history.Event {
		return history.Event{Time: t, Process: history.ProcessProbe, Type: history.Probe,
			Probe: &history.ProbeEvent{Node: "n2", Role: role, Reachable: reachable}}
	}
	m := fold(
		fault(1*sec, "a", history.FaultStart), fault(2*sec, "a", history.FaultNoEffect), fault(5*sec, "a", history.FaultHealed),
		fault(6*sec, "b", history.FaultStart), fault(6*sec, "p", history.FaultAction),
		probe(1*sec, "primary", true), probe(2*sec, "primary", true), probe(3*sec, "", false), probe(9*sec, "replica", true),
	)
	a, b, p := m.Faults[0], m.Faults[1], m.Faults[2]
	if a.Start != sec || a.End != 5*sec || !a.Healed || a.Effect != EffectNoEffect {
		t.Errorf("fault a = %+v", a)
	}
	if b.Healed || b.End != 9*sec || b.Effect != EffectUnverified {
		t.Errorf("unhealed fault b = %+v, want open to the end of history", b)
	}
	if !p.Action || p.Start != p.End {
		t.Errorf("action = %+v", p)
	}
	segs := m.Timeline[0].Segments
	if len(segs) != 3 || segs[0].Role != "primary" || segs[0].End != 3*sec || segs[1].Role != RoleDown || segs[2].Role != "replica" {
		t.Errorf("lane = %+v", segs)
	}
}
