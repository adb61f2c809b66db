package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a scenario file (1-based; 0 = unknown).
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error is one problem of a scenario, located in its file.
type Error struct {
	File string `json:"file,omitempty"`
	Pos
	// Path is the field the problem is about, e.g. spec.faults[1].latency.delay.
	Path string `json:"path,omitempty"`
	// Msg says what is wrong and what is expected.
	Msg string `json:"message"`
}

// Error formats as file:line:col: path: message.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	switch {
	case e.Line > 0 && e.Column > 0:
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Column)
	case e.Line > 0:
		fmt.Fprintf(&b, "%d:", e.Line)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a scenario, sorted by position.
type ErrorList []*Error

// Error is one line per problem.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns nil when the list is empty, else the sorted list.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// Sort orders by file, line, column, path and message.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case a.Path != b.Path:
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
}

// positions maps a field path to where its value starts in the file.
type positions map[string]Pos

// lookup finds the position of path or of its nearest recorded parent.
func (p positions) lookup(path string) Pos {
	for {
		if pos, ok := p[path]; ok {
			return pos
		}
		if path == "" {
			return Pos{}
		}
		path = parentPath(path)
	}
}

// parentPath drops the last segment: a.b[2] → a.b, a.b → a, a → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// join appends a field name to a path.
func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// index appends a sequence index to a path.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
