package injectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestLedgerPutListRemove(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := Record{RunID: "run-a", ID: "step-2", Kind: "partition", Params: json.RawMessage(`{"x":1}`),
		Targets: []string{"n1", "n2"}, State: Pending, Created: t0.Add(time.Second)}
	b := Record{RunID: "run-a", ID: "step-1", Kind: "clockSkew", State: Injected, Created: t0}
	c := Record{RunID: "run-b", ID: "step-1", Kind: "partition", State: Failed, Created: t0}
	for _, r := range []Record{a, b, c} {
		if err := l.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	a.State = Injected
	if err := l.Put(a); err != nil { // replaces
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledger", "run-a", "step-2.json")); err != nil {
		t.Fatalf("record file: %v", err)
	}
	runs, _ := l.Runs()
	if !reflect.DeepEqual(runs, []string{"run-a", "run-b"}) {
		t.Fatalf("runs %v", runs)
	}
	got, err := l.List("run-a")
	if err != nil || !reflect.DeepEqual(got, []Record{b, a}) {
		t.Fatalf("list run-a: %+v (%v)", got, err)
	}
	if all, _ := l.List(""); len(all) != 3 {
		t.Fatalf("list all: %d records", len(all))
	}
	for _, r := range []Record{a, b, b} { // removing twice is fine
		if err := l.Remove(r.RunID, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if runs, _ := l.Runs(); !reflect.DeepEqual(runs, []string{"run-b"}) {
		t.Fatalf("after removing run-a's records, runs %v", runs)
	}
}

func TestLedgerRejectsBadNames(t *testing.T) {
	l, _ := OpenLedger(t.TempDir())
	for _, r := range []Record{{RunID: "", ID: "x"}, {RunID: "r", ID: "../x"}, {RunID: "..", ID: "x"}, {RunID: "r", ID: ".hidden"}} {
		if err := l.Put(r); err == nil {
			t.Errorf("Put(%q, %q) accepted", r.RunID, r.ID)
		}
	}
}

func TestLedgerIgnoresTempAndReportsCorrupt(t *testing.T) {
	dir := t.TempDir()
	l, _ := OpenLedger(dir)
	l.Put(Record{RunID: "r", ID: "ok", Kind: "k"})
	run := filepath.Join(dir, "ledger", "r")
	os.WriteFile(filepath.Join(run, "x.json.tmp-123"), []byte("{partial"), 0o644)
	os.WriteFile(filepath.Join(run, "bad.json"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(run, "moved.json"), []byte(`{"runId":"r","id":"other"}`), 0o644)
	recs, err := l.List("r")
	if len(recs) != 1 || recs[0].ID != "ok" {
		t.Fatalf("records %+v", recs)
	}
	if err == nil {
		t.Fatal("corrupt and misnamed records not reported")
	}
	if err := l.Sweep("r"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(run, "x.json.tmp-123")); err == nil {
		t.Fatal("sweep left a temp file")
	}
}

func TestStateDir(t *testing.T) {
	t.Setenv(StateDirEnv, "")
	if StateDir() != DefaultStateDir {
		t.Fatalf("default state dir %q", StateDir())
	}
	dir := t.TempDir()
	t.Setenv(StateDirEnv, dir)
	l, err := OpenLedger("")
	if err != nil || l.Dir() != filepath.Join(dir, "ledger") {
		t.Fatalf("ledger in %q (%v)", l.Dir(), err)
	}
}
