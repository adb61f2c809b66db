package reports

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

func TestViewEvidence(t *testing.T) {
	raw := json.RawMessage(`{
		"lostCount": 2, "authority": ["n1", "n2"],
		"lost": [{"value": 9007199254740993, "ackTime": 21500000000, "missingOn": ["n1","n2","n3"]},
		         {"value": 12, "ackTime": 22000000000, "missingOn": []}],
		"probes": {"intervals": [{"kind": "writable-primaries", "start": 20000000000, "end": 23000000000, "nodes": ["n1","n3"]}]},
		"anomalies": {"G1c": [{"type": "G1c", "txns": [{"id": 1}], "steps": [{"kind": "ww", "explanation": "T1 < T2"}, {"kind": "wr", "explanation": "T2 < T1"}]}]}
	}`)
	v := viewEvidence(raw, "verdicts.json, check x")
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
	v := viewEvidence(json.RawMessage(`not json`), "verdicts.json, check x")
	if v.JSON != "not json" || len(v.Facts)+len(v.Tables) != 0 {
		t.Errorf("view of invalid JSON = %+v", v)
	}
}

// largeEvidenceRun is the synthetic run with a lost-writes verdict of 866
// lost writes, all listed, and 866 unexpected values of which the checker
// listed the first 100.
func largeEvidenceRun(t *testing.T) string {
	t.Helper()
	type item struct {
		Value     int64    `json:"value"`
		AckTime   int64    `json:"ackTime"`
		MissingOn []string `json:"missingOn"`
	}
	var lost, unexpected []item
	for i := range 866 {
		lost = append(lost, item{int64(1000 + i), int64(20e9 + i*1e7), []string{"n1", "n2", "n3"}})
		if i < 100 {
			unexpected = append(unexpected, item{int64(5000 + i), 0, []string{"n3"}})
		}
	}
	ev, err := json.Marshal(map[string]any{"lostCount": 866, "lost": lost, "unexpectedCount": 866, "unexpected": unexpected})
	must(t, err)
	dir := copyRun(t, testdataRun)
	writeJSON(t, filepath.Join(dir, history.FileVerdicts), []verify.Verdict{
		{Check: "lost-writes", Status: verify.Invalid, Summary: "866 lost", Evidence: ev},
	})
	must(t, RenderAll(dir))
	return dir
}

// tableRows counts the data rows of the evidence table titled title.
func tableRows(t *testing.T, page, title string) int {
	t.Helper()
	m := regexp.MustCompile(`(?s)<caption[^>]*>` + title + `</caption>(.*?)</table>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("report.html has no evidence table %q", title)
	}
	return strings.Count(m[1], "<tr>") - 1 // the header row
}

func TestLargeEvidenceShowsFirstRowsAndWhereTheRestIs(t *testing.T) {
	dir := largeEvidenceRun(t)
	page := readFile(t, dir, history.FileReport)
	if n := tableRows(t, page, "lost"); n != 50 {
		t.Errorf("report.html lost table has %d rows, want 50", n)
	}
	md := readFile(t, dir, history.FileSummary)
	_, lostMD, _ := strings.Cut(md, "**lost**")
	lostMD, _, _ = strings.Cut(lostMD, "\n\n**")
	if n := strings.Count(lostMD, "\n| 20."); n != 50 {
		t.Errorf("summary.md lost table has %d rows, want 50:\n%s", n, lostMD)
	}
	for _, want := range []string{
		"Showing the first 50 of 866. The whole list: verdicts.json, check lost-writes, at evidence.lost.",
		"Showing the first 50 of 866. The checker listed the first 100 (verdicts.json, check lost-writes, at evidence.unexpected); the count is complete.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
}
