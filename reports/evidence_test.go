package reports

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestViewEvidence(t *testing.T) {
	raw := json.RawMessage(`{
		"lostCount": 2, "authority": ["n1", "n2"],
		"lost": [{"value": 9007199254740993, "ackTime": 21500000000, "missingOn": ["n1","n2","n3"]},
		         {"value": 12, "ackTime": 22000000000, "missingOn": []}],
		"probes": {"intervals": [{"kind": "writable-primaries", "start": 20000000000, "end": 23000000000, "nodes": ["n1","n3"]}]},
		"anomalies": {"G1c": [{"type": "G1c", "txns": [{"id": 1}], "steps": [{"kind": "ww", "explanation": "T1 < T2"}, {"kind": "wr", "explanation": "T2 < T1"}]}]}
	}`)
	v := viewEvidence(raw)
	facts := map[string]string{}
	for _, f := range v.Facts {
		facts[f.Name] = f.Value
	}
	if facts["lostCount"] != "2" || facts["authority"] != "n1, n2" {
		t.Errorf("facts = %v", facts)
	}
	tables := map[string]EvidenceTable{}
	for _, tb := range v.Tables {
		tables[tb.Title] = tb
	}
	lost := tables["lost"]
	if got := strings.Join(lost.Columns, ","); got != "ackTime,missingOn,value" || len(lost.Rows) != 2 {
		t.Fatalf("lost table = %+v", lost)
	}
	if lost.Rows[0][0] != "21.500s" || lost.Rows[0][1] != "n1, n2, n3" || lost.Rows[0][2] != "9007199254740993" {
		t.Errorf("lost row = %v (times in seconds, short lists inline, int64 exact)", lost.Rows[0])
	}
	if iv := tables["probes.intervals"]; len(iv.Rows) != 1 || iv.Rows[0][slices.Index(iv.Columns, "start")] != "20.000s" {
		t.Errorf("nested interval table = %+v", iv)
	}
	if steps := tables["anomalies.G1c[1].steps"]; len(steps.Rows) != 2 || steps.Rows[1][0] != "T2 < T1" {
		t.Errorf("cycle steps table = %+v (all: %v)", steps, v.Tables)
	}
	if g := tables["anomalies.G1c"]; g.Rows[0][slices.Index(g.Columns, "steps")] != "2 rows, below" {
		t.Errorf("cycle table = %+v", g)
	}
	if !strings.Contains(v.JSON, "\n  \"anomalies\"") {
		t.Error("JSON is not indented")
	}
}

func TestViewEvidenceKeepsUnknownShapesAsJSON(t *testing.T) {
	v := viewEvidence(json.RawMessage(`not json`))
	if v.JSON != "not json" || len(v.Facts)+len(v.Tables) != 0 {
		t.Errorf("view of invalid JSON = %+v", v)
	}
}
