package reports

import (
	"context"
	"slices"
	"testing"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

// timestamp-order's evidence lays out as the other checks' does: the
// examples and the per-node counts as tables, harness times in seconds.
func TestTimestampOrderEvidenceView(t *testing.T) {
	// Write 1 through n2 (clock 1 s ahead) is acknowledged at 0.1 s; write 2
	// through n1 is invoked at 0.2 s and stamped earlier.
	ev := []history.Event{
		{Time: 0, Process: 0, Type: history.Invoke, F: "add", Value: []byte("1"), Node: "n2"},
		{Time: 100_000_000, Process: 0, Type: history.OK, F: "add", Value: []byte("1"), Node: "n2"},
		{Time: 200_000_000, Process: 1, Type: history.Invoke, F: "add", Value: []byte("2"), Node: "n1"},
		{Time: 300_000_000, Process: 1, Type: history.OK, F: "add", Value: []byte("2"), Node: "n1"},
	}
	const t0 = 1_796_000_000_000_000
	final := &history.Final{Workload: "ledger", Nodes: []history.FinalNode{{Node: "n1", Reachable: true,
		Ledger: []int64{1, 2}, LedgerTS: []int64{t0 + 1_050_000, t0 + 250_000}}}}
	v := verify.TimestampOrder{}.Check(context.Background(), &verify.Input{Events: ev, Final: final})
	if v.Status != verify.Measured {
		t.Fatalf("%s: %s", v.Status, v.Summary)
	}
	view := viewEvidence(v.Evidence, "verdicts.json, check timestamp-order")
	tables := map[string]EvidenceTable{}
	for _, tb := range view.Tables {
		tables[tb.Title] = tb
	}
	ex := tables["examples"]
	i := slices.Index(ex.Columns, "aAckTime")
	j := slices.Index(ex.Columns, "ahead")
	if len(ex.Rows) != 1 || i < 0 || j < 0 || ex.Rows[0][i] != "0.100s" || ex.Rows[0][j] != "800ms" {
		t.Errorf("examples table = %+v", ex)
	}
	if by := tables["byNode"]; len(by.Rows) != 2 {
		t.Errorf("byNode table = %+v", by)
	}
}
