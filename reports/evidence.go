package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
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

// EvidenceTable is a list of objects in evidence, shown as a table of its
// first maxEvidenceRows rows.
type EvidenceTable struct {
	Title   string
	Columns []string
	Rows    [][]string
	Total   int    // items in the list: its length, or the checker's count when it listed fewer
	Note    string // how much of the list is shown and where the whole of it is; empty when all is shown
}

// Fact is a scalar (or a short list of scalars) in evidence.
type Fact struct{ Name, Value string }

// EvidenceView is evidence laid out for people: scalar facts, and a table for
// every list of objects found up to a few levels deep (lost ops, a cycle's
// steps, the nodes of an interval), alongside the whole as indented JSON.
// Fields named time/start/end/at or ending in Time/At hold ns since run
// start and are shown in seconds. A list whose sibling field NAMECount is
// larger than it was capped by its checker: its table says so.
type EvidenceView struct {
	Facts  []Fact
	Tables []EvidenceTable
	JSON   string

	where     string   // the file (and record) the evidence is stored in
	artifacts []string // files the checker wrote alongside, which may hold more
}

const (
	maxEvidenceRows   = 50
	maxEvidenceTables = 20
	maxEvidenceDepth  = 4
	maxInlineList     = 20
)

// viewEvidence builds the view of raw evidence stored in where (a file and
// the record in it, e.g. "verdicts.json, check lost-writes"); artifacts are
// files written alongside it.
func viewEvidence(raw json.RawMessage, where string, artifacts ...string) EvidenceView {
	v := EvidenceView{JSON: prettyJSON(raw), where: where, artifacts: artifacts}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep int64 op values exact
	var doc any
	if dec.Decode(&doc) != nil {
		return v
	}
	v.walk("", doc, 0, 0)
	return v
}

// walk lays out x, found at name; total is the count its checker gives for
// a list (0: none).
func (v *EvidenceView) walk(name string, x any, depth, total int) {
	if depth > maxEvidenceDepth || len(v.Tables) >= maxEvidenceTables {
		return
	}
	switch d := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(d) {
			v.walk(join(name, k), d[k], depth+1, countOf(d, k))
		}
	case []any:
		if s, ok := inlineList(d); ok && total <= len(d) {
			v.Facts = append(v.Facts, Fact{name, s})
			return
		}
		v.table(name, d, depth, max(total, len(d)))
	default:
		v.Facts = append(v.Facts, Fact{name, cell(name, x)})
	}
}

// countOf is the count a checker gives beside the list d[k], in d[kCount].
func countOf(d map[string]any, k string) int {
	n, ok := d[k+"Count"].(json.Number)
	if !ok {
		return 0
	}
	c, err := n.Int64()
	if err != nil {
		return 0
	}
	return int(c)
}

// table adds a table for a list of objects (or long list of scalars) of
// total items, then tables for the lists of objects nested in its rows.
func (v *EvidenceView) table(name string, arr []any, depth, total int) {
	t := EvidenceTable{Title: name, Total: total}
	nested := map[string]bool{}
	t.Columns = columns(arr, nested)
	shown := arr[:min(len(arr), maxEvidenceRows)]
	for _, it := range shown {
		t.Rows = append(t.Rows, row(it, t.Columns, nested))
	}
	t.Note = v.note(name, len(shown), len(arr), total)
	v.Tables = append(v.Tables, t)
	for i, it := range shown {
		obj, _ := it.(map[string]any)
		for _, c := range sortedKeys(nested) {
			if sub, ok := obj[c].([]any); ok && len(sub) > 0 {
				v.walk(fmt.Sprintf("%s[%d].%s", name, i+1, c), sub, depth+1, 0)
			}
		}
	}
}

// note says how much of a list of total items a table shows (shown of the
// listed ones) and where the whole list is.
func (v *EvidenceView) note(name string, shown, listed, total int) string {
	if shown == total {
		return ""
	}
	at := "the JSON below, at " + join("evidence", name)
	if v.where != "" {
		at = v.where + ", at " + join("evidence", name)
	}
	s := fmt.Sprintf("Showing the first %d of %d. ", shown, total)
	if listed == total {
		s += "The whole list: " + at + "."
	} else {
		s += fmt.Sprintf("The checker listed the first %d (%s); the count is complete.", listed, at)
	}
	if len(v.artifacts) > 0 {
		s += " More in " + strings.Join(v.artifacts, ", ") + "."
	}
	return s
}

// columns lists the keys of the objects in arr; keys holding lists of
// objects go to nested, to get tables of their own.
func columns(arr []any, nested map[string]bool) []string {
	cols := map[string]bool{}
	for _, it := range arr {
		obj, ok := it.(map[string]any)
		if !ok {
			return []string{"#", "value"}
		}
		for k, x := range obj {
			cols[k] = true
			if sub, ok := x.([]any); ok && len(sub) > 0 {
				if _, isObj := sub[0].(map[string]any); isObj {
					nested[k] = true
				}
			}
		}
	}
	return sortedKeys(cols)
}

func row(it any, cols []string, nested map[string]bool) []string {
	obj, ok := it.(map[string]any)
	if !ok {
		return []string{"", cell("", it)}
	}
	r := make([]string, len(cols))
	for j, c := range cols {
		if sub, ok := obj[c].([]any); ok && nested[c] {
			r[j] = fmt.Sprintf("%d rows, below", len(sub))
			continue
		}
		r[j] = cell(c, obj[c])
	}
	return r
}

// inlineList renders a short list of scalars on one line.
func inlineList(arr []any) (string, bool) {
	if len(arr) > maxInlineList {
		return "", false
	}
	parts := make([]string, 0, len(arr))
	for _, x := range arr {
		switch x.(type) {
		case map[string]any, []any:
			return "", false
		}
		parts = append(parts, cell("", x))
	}
	if len(parts) == 0 {
		return "none", true
	}
	return strings.Join(parts, ", "), true
}

// cell renders a value for a table cell; name decides whether it is a time.
func cell(name string, x any) string {
	switch v := x.(type) {
	case nil:
		return "null"
	case string:
		return v
	case json.Number:
		if n, err := strconv.ParseInt(v.String(), 10, 64); err == nil && isTimeField(name) {
			return fmt.Sprintf("%.3fs", float64(n)/1e9)
		}
		return v.String()
	case []any:
		if s, ok := inlineList(v); ok {
			return s
		}
	}
	b, _ := json.Marshal(x)
	return string(b)
}

func isTimeField(name string) bool {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	switch name {
	case "time", "start", "end", "at":
		return true
	}
	return strings.HasSuffix(name, "Time") || strings.HasSuffix(name, "At")
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
