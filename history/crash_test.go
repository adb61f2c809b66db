package history

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestWriterEventsSurviveKill: every event whose Write returned is in the
// file after the writer's process is SIGKILLed, the file then reads as
// truncated (zero padding), and Append continues it without a gap.
func TestWriterEventsSurviveKill(t *testing.T) {
	if path := os.Getenv("FAULTLINE_HISTORY_CHILD"); path != "" {
		writeUntilKilled(path)
		return
	}
	for round := range 5 {
		path := filepath.Join(t.TempDir(), FileHistory)
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriterEventsSurviveKill$")
		cmd.Env = append(os.Environ(), "FAULTLINE_HISTORY_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The child prints each index once its Write returned; kill it
		// after a varying number, mid-stream.
		kill := 3000 + 7919*round
		sc := bufio.NewScanner(out)
		acked := int64(-1)
		for sc.Scan() {
			if i, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
				acked = i
			}
			if acked >= int64(kill) {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		cmd.Wait()
		if acked < int64(kill) {
			t.Fatalf("child stopped after %d events", acked+1)
		}

		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for {
			e, err := r.Next()
			if err != nil {
				break
			}
			if e.Index != n {
				t.Fatalf("round %d: event %d has index %d", round, n, e.Index)
			}
			n++
		}
		r.Close()
		if n <= acked {
			t.Fatalf("round %d: %d events in the file, but the writer had returned from Write for %d", round, n, acked+1)
		}
		if !r.Truncated() {
			t.Errorf("round %d: a killed writer's history does not read as truncated", round)
		}

		if i := appendMark(t, path); i != n {
			t.Errorf("round %d: appended index %d, want %d", round, i, n)
		}
		data, _ := os.ReadFile(path)
		if bytes.IndexByte(data, 0) >= 0 || !bytes.HasSuffix(data, []byte("}\n")) {
			t.Errorf("round %d: after Append and Close the file still holds zero padding", round)
		}
		events, err := ReadAll(path)
		if err != nil || int64(len(events)) != n+1 {
			t.Errorf("round %d: %d events after append (%v), want %d", round, len(events), err, n+1)
		}
	}
}

// writeUntilKilled writes events to path forever, printing each index after
// its Write returned.
func writeUntilKilled(path string) {
	w, err := Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := bufio.NewWriterSize(os.Stdout, 64)
	pad := bytes.Repeat([]byte("x"), 300) // events of a few hundred bytes: windows fill
	for i := 0; ; i++ {
		e := Event{Time: int64(i), Process: i % 16, Type: OK, F: "add", Value: []byte(strconv.Quote(string(pad[:i%300]))), Node: "n1"}
		if err := w.Write(&e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(out, e.Index)
		out.Flush()
	}
}

// TestWriterAcrossWindows writes several windows' worth of events from
// concurrent writers; every event is read back whole, and the closed file
// ends with the last event.
func TestWriterAcrossWindows(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileHistory)
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	pad := strconv.Quote(string(bytes.Repeat([]byte("y"), 997))) // lines straddle window edges
	const writers, each = 4, 3000
	done := make(chan error, writers)
	for p := range writers {
		go func() {
			for i := range each {
				e := Event{Time: int64(i), Process: p, Type: Invoke, F: "add", Value: []byte(pad)}
				if err := w.Write(&e); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range writers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Size() < 3*windowBytes {
		t.Fatalf("wrote %d bytes, the test wants more than 3 windows", st.Size())
	}
	events, err := ReadAll(path)
	if err != nil || len(events) != writers*each {
		t.Fatalf("read %d events (%v), want %d", len(events), err, writers*each)
	}
	next := map[int]int64{}
	for i, e := range events {
		if e.Index != int64(i) || e.Time != next[e.Process] || string(e.Value) != pad {
			t.Fatalf("event %d: index %d, process %d time %d (want %d)", i, e.Index, e.Process, e.Time, next[e.Process])
		}
		next[e.Process]++
	}
	data, _ := os.ReadFile(path)
	if !bytes.HasSuffix(data, []byte("}\n")) || bytes.IndexByte(data, 0) >= 0 {
		t.Fatal("the closed file does not end with its last event")
	}
}
