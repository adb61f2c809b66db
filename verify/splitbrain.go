package verify

import (
	"context"
	"fmt"
	"strings"
)

// SplitBrain looks for two parts of the cluster accepting writes
// independently, from three angles, each reported in the evidence:
//
//   - probes: two writable nodes (or two disjoint Galera Primary components)
//     in one probe round — see checkProbes;
//   - writes (ledger): two nodes that both acknowledged writes the other
//     never received, at overlapping times — see checkWrites;
//   - healed: after healing, forked GTID sets, one row key with different
//     content, differing table checksums — see checkHealed.
//
// Invalid when any angle finds a split; Unknown when there is neither a
// probe sample nor a final read to look at.
type SplitBrain struct{}

// Name is "split-brain".
func (SplitBrain) Name() string { return NameSplitBrain }

type splitBrainEvidence struct {
	Probes probeAngle   `json:"probes"`
	Writes writeAngle   `json:"writes"`
	Healed *healedAngle `json:"healed,omitempty"`
}

// Check looks from the three angles.
func (c SplitBrain) Check(ctx context.Context, in *Input) Verdict {
	samples := probeSamples(in.Events)
	if len(samples) == 0 && in.Final == nil {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no probe samples and no final read"}
	}
	var ev splitBrainEvidence
	ev.Probes = checkProbes(samples)
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	ev.Writes = writeAngle{Note: "only the ledger workload"}
	if in.Final != nil && in.Final.Workload == "ledger" {
		ev.Writes = checkWrites(in.ledger())
	}
	if ctx.Err() != nil {
		return cancelled(c.Name(), ctx)
	}
	if in.Final != nil {
		h := checkHealed(in.Final, isGalera(samples))
		ev.Healed = &h
	}
	return splitBrainVerdict(c.Name(), ev)
}

func splitBrainVerdict(name string, ev splitBrainEvidence) Verdict {
	var found []string
	if n := ev.Probes.Count; n > 0 {
		found = append(found, fmt.Sprintf("%d probe incident(s) (first: %s at %s)", n,
			ev.Probes.Incidents[0].Detail, nsString(ev.Probes.Incidents[0].Start)))
	}
	if n := len(ev.Writes.Splits); n > 0 {
		s := ev.Writes.Splits[0]
		found = append(found, fmt.Sprintf("%d node pair(s) with concurrent exclusive writes (first: %s has %d, %s has %d)",
			n, s.A, s.AOnly, s.B, s.BOnly))
	}
	if ev.Healed != nil && ev.Healed.Findings > 0 {
		h := ev.Healed
		found = append(found, fmt.Sprintf("after healing: %d forked GTID pair(s), %d row conflict(s), %d differing checksum(s)",
			len(h.GTIDDivergent), h.RowConflicts, len(h.Checksums)))
	}
	v := Verdict{Check: name, Status: Valid, Evidence: toJSON(ev),
		Summary: fmt.Sprintf("no split-brain (%d probe rounds, writes %s, final read %s)",
			ev.Probes.Rounds, evaluated(ev.Writes.Evaluated), evaluated(ev.Healed != nil))}
	if len(found) > 0 {
		v.Status, v.Summary = Invalid, "split-brain: "+strings.Join(found, "; ")
	}
	return v
}

func evaluated(b bool) string {
	if b {
		return "compared"
	}
	return "not compared"
}

// nsString formats a time since the run started.
func nsString(ns int64) string {
	return fmt.Sprintf("t=%.3fs", float64(ns)/1e9)
}
