package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// prettyJSON indents raw JSON; invalid JSON is returned as is.
func prettyJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// EvidenceTable is a list of objects in evidence, shown as a table.
type EvidenceTable struct {
	Title   string
	Columns []string
	Rows    [][]string
	More    int // rows not shown
}

// Fact is a scalar field of an evidence object.
type Fact struct{ Name, Value string }

// EvidenceView is evidence split into what renders nicely — scalar facts and
// tables of objects (lost ops, a cycle's steps, the nodes of an interval) —
// and the whole thing as indented JSON.
type EvidenceView struct {
	Facts  []Fact
	Tables []EvidenceTable
	JSON   string
}

const maxEvidenceRows = 50

// viewEvidence builds the view of raw evidence. Shapes it does not know
// (a bare array of scalars, nested objects) are left to the JSON.
func viewEvidence(raw json.RawMessage) EvidenceView {
	v := EvidenceView{JSON: prettyJSON(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep int64 op values exact
	var doc any
	if dec.Decode(&doc) != nil {
		return v
	}
	switch d := doc.(type) {
	case []any:
		if t, ok := objectTable("items", d); ok {
			v.Tables = append(v.Tables, t)
		}
	case map[string]any:
		for _, k := range sortedKeys(d) {
			if arr, ok := d[k].([]any); ok {
				if t, ok := objectTable(k, arr); ok {
					v.Tables = append(v.Tables, t)
					continue
				}
			}
			if s, ok := scalar(d[k]); ok {
				v.Facts = append(v.Facts, Fact{k, s})
			}
		}
	}
	return v
}

// objectTable renders a list of objects, or of scalars, as a table.
func objectTable(title string, arr []any) (EvidenceTable, bool) {
	t := EvidenceTable{Title: title}
	if len(arr) == 0 {
		return t, false
	}
	cols := map[string]bool{}
	for _, it := range arr {
		obj, ok := it.(map[string]any)
		if !ok {
			return scalarTable(title, arr)
		}
		for k := range obj {
			cols[k] = true
		}
	}
	t.Columns = sortedKeys(cols)
	for i, it := range arr {
		if i == maxEvidenceRows {
			t.More = len(arr) - i
			break
		}
		obj := it.(map[string]any)
		row := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			row[j] = cellText(obj[c])
		}
		t.Rows = append(t.Rows, row)
	}
	return t, true
}

func scalarTable(title string, arr []any) (EvidenceTable, bool) {
	t := EvidenceTable{Title: title, Columns: []string{"#", "value"}}
	for i, it := range arr {
		s, ok := scalar(it)
		if !ok {
			return t, false
		}
		if i == maxEvidenceRows {
			t.More = len(arr) - i
			break
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), s})
	}
	return t, true
}

func scalar(x any) (string, bool) {
	switch v := x.(type) {
	case string:
		return v, true
	case json.Number, bool:
		return cellText(v), true
	case nil:
		return "null", true
	}
	return "", false
}

func cellText(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(x)
	return strings.TrimSpace(string(b))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
