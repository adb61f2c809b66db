package history

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReaderTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	writeEvents(t, path, 3)
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"i":3,"t":5,"p":1,"type":"in`)
	f.Close()

	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("event %d: %v", n, err)
		}
		n++
	}
	if n != 3 || !r.Truncated() {
		t.Fatalf("read %d events, truncated=%v; want 3, true", n, r.Truncated())
	}
}

func TestReaderLastLineWithoutNewline(t *testing.T) {
	r := NewReader(strings.NewReader(`{"i":0,"type":"mark"}`+"\n"+`{"i":1,"type":"mark"}`), "h")
	for i := range 2 {
		if _, err := r.Next(); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if _, err := r.Next(); err != io.EOF || r.Truncated() {
		t.Fatalf("end: %v truncated=%v", err, r.Truncated())
	}
}

func TestReaderCorruptLine(t *testing.T) {
	in := `{"i":0,"type":"mark"}` + "\n\n" + `{"i":1,"type":"mark"` + "\n" + `{"i":2,"type":"mark"}` + "\n"
	r := NewReader(strings.NewReader(in), "h.jsonl")
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Next()
	if err == nil || !strings.Contains(err.Error(), "h.jsonl line 3") {
		t.Fatalf("corrupt line 3: got %v", err)
	}
	if _, err2 := r.Next(); err2 != err {
		t.Fatalf("error not sticky: %v", err2)
	}
}

func TestReaderLongLines(t *testing.T) {
	big := json.RawMessage(`"` + strings.Repeat("x", 600<<10) + `"`)
	path := filepath.Join(t.TempDir(), FileHistory)
	w, _ := Create(path)
	for range 3 {
		w.Write(&Event{Type: OK, Value: big})
	}
	w.Close()
	events, err := ReadAll(path)
	if err != nil || len(events) != 3 || string(events[2].Value) != string(big) {
		t.Fatalf("read %d events (%v)", len(events), err)
	}
}

func TestPairs(t *testing.T) {
	ev := []Event{
		{Process: 1, Type: Invoke, F: "add", Node: "n1"},
		{Process: 2, Type: Invoke, F: "read"},
		{Process: 1, Type: OK, F: "add"},
		{Process: 2, Type: Info, F: "read", Node: "n2"},
		{Process: 3, Type: Fail, F: "add"}, // no invoke: ignored
		{Process: 1, Type: Invoke, F: "add"},
		{Process: ProcessNemesis, Type: Fault},
		{Process: 1, Type: Invoke, F: "read"}, // the previous add never completed
		{Process: 1, Type: Fail, F: "read"},
		{Process: 2, Type: Invoke, F: "add"}, // never completed
	}
	ops := Pairs(ev)
	want := []struct {
		p        int
		f, node  string
		typ      Type
		inv, cmp int // event indexes, -1 = nil
	}{
		{1, "add", "n1", OK, 0, 2},
		{2, "read", "n2", Info, 1, 3},
		{1, "add", "", Info, 5, -1},
		{1, "read", "", Fail, 7, 8},
		{2, "add", "", Info, 9, -1},
	}
	if len(ops) != len(want) {
		t.Fatalf("got %d ops, want %d: %+v", len(ops), len(want), ops)
	}
	for i, w := range want {
		o := ops[i]
		if o.Process != w.p || o.F != w.f || o.Node != w.node || o.Type != w.typ || o.Invoke != &ev[w.inv] {
			t.Errorf("op %d: %+v", i, o)
		}
		if (w.cmp < 0) != (o.Complete == nil) || (w.cmp >= 0 && o.Complete != &ev[w.cmp]) {
			t.Errorf("op %d: completion %+v, want event %d", i, o.Complete, w.cmp)
		}
	}
}
