package history

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestWriterConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for p := range writers {
		wg.Go(func() {
			for i := range each {
				e := Event{Process: p, Type: Invoke, F: "add", Value: []byte{'0' + byte(i%10)}}
				if err := w.Write(&e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	flushed := make(chan error, 1)
	go func() { // explicit flushes race with the writers and the flusher
		for {
			select {
			case <-stop:
				flushed <- nil
				return
			default:
			}
			if err := w.Flush(); err != nil {
				flushed <- err
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	events, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != writers*each {
		t.Fatalf("read %d events, want %d", len(events), writers*each)
	}
	perProcess := map[int]int{}
	for i, e := range events {
		if e.Index != int64(i) {
			t.Fatalf("event %d has index %d", i, e.Index)
		}
		if e.Wall == 0 {
			t.Fatalf("event %d has no wall time", i)
		}
		if want := '0' + byte(perProcess[e.Process]%10); string(e.Value) != string(want) {
			t.Fatalf("process %d event %d out of order: value %s", e.Process, perProcess[e.Process], e.Value)
		}
		perProcess[e.Process]++
	}
}

func TestWriterFlushMakesDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := range 10 {
		e := ledgerEvent(i)
		w.Write(&e)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	events, err := ReadAll(path)
	if err != nil || len(events) != 10 {
		t.Fatalf("after Flush the file holds %d events (%v), want 10", len(events), err)
	}
}

func TestWriterFlushesInBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e := ledgerEvent(0)
	w.Write(&e)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if events, _ := ReadAll(path); len(events) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the background flusher never wrote the event")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWriterClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&Event{Type: Mark}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v, want ErrClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := Create(path); err == nil {
		t.Fatal("Create overwrote an existing history")
	}
}

func TestWriterRejectsInvalidValue(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(&Event{Type: OK, Value: []byte("{")}); err == nil {
		t.Fatal("invalid value accepted")
	}
	e := Event{Type: OK}
	w.Write(&e)
	if e.Index != 0 {
		t.Fatalf("a rejected event used index 0: next got %d", e.Index)
	}
}

func TestAppendContinuesIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	writeEvents(t, path, 5)
	// A partial line, as if the writer was killed mid-write.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"i":5,"t":12,"wa`)
	f.Close()

	if i := appendMark(t, path); i != 5 {
		t.Fatalf("appended event has index %d, want 5", i)
	}
	events, err := ReadAll(path)
	if err != nil || len(events) != 6 || events[5].Type != Mark {
		t.Fatalf("after append: %d events, %v", len(events), err)
	}
}

func TestAppendEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	os.WriteFile(path, []byte(`{"i":0,"t":1`), 0o644) // only a partial line
	w, err := Append(path)
	if err != nil {
		t.Fatal(err)
	}
	e := Event{Type: Mark}
	w.Write(&e)
	w.Close()
	if events, err := ReadAll(path); err != nil || len(events) != 1 || e.Index != 0 {
		t.Fatalf("got %d events (%v), index %d", len(events), err, e.Index)
	}
}

// appendMark appends a Mark event to the history at path with Append and
// returns its index.
func appendMark(t *testing.T, path string) int64 {
	t.Helper()
	w, err := Append(path)
	if err != nil {
		t.Fatal(err)
	}
	e := Event{Type: Mark}
	if err := w.Write(&e); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return e.Index
}

func writeEvents(t *testing.T, path string, n int) {
	t.Helper()
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		e := ledgerEvent(i)
		if err := w.Write(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriterStickyError(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	e := ledgerEvent(0)
	w.Write(&e)
	w.f.Close() // the disk goes away
	if err := w.Flush(); err == nil {
		t.Fatal("Flush to a closed file succeeded")
	}
	if err := w.Write(&e); err == nil {
		t.Fatal("Write after a failed flush succeeded")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed flush reported no error")
	}
}
