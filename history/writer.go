package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"faultline.dev/faultline/internal/fsutil"
)

// Writer cadence and buffer limits.
const (
	syncEvery  = 100 * time.Millisecond
	kickBytes  = 1 << 20  // write (without waiting for the tick) past this
	blockBytes = 64 << 20 // Write waits for the disk past this
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("history writer closed")

// Writer appends events to a history file. Write encodes into an in-memory
// buffer and returns; a background flusher writes and fsyncs the buffer at
// most every 100 ms (and writes sooner when it passes 1 MiB). It is safe for
// concurrent use.
type Writer struct {
	path string
	f    *os.File

	mu      sync.Mutex
	drained *sync.Cond // signalled when the flusher takes the buffer
	cur     []byte     // events not yet handed to the flusher
	next    int64      // index of the next event
	closed  bool
	err     error // sticky write or sync error

	ioMu  sync.Mutex // serializes take+write+sync, so file order = index order
	spare []byte
	dirty bool // written but not synced

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// Create makes a new history file at path; it fails if the file exists, so
// a run never overwrites another run's history.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create history: %w", err)
	}
	if err := fsutil.SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create history %s: %w", path, err)
	}
	return newWriter(path, f, 0), nil
}

// Append continues the history file at path: a partial last line (the
// writer was killed mid-write) is cut off, and indexes continue after the
// last whole event.
func Append(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("append history: %w", err)
	}
	next, err := resumeAt(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("append history %s: %w", path, err)
	}
	return newWriter(path, f, next), nil
}

func newWriter(path string, f *os.File, next int64) *Writer {
	w := &Writer{
		path: path, f: f, next: next,
		kick: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	w.drained = sync.NewCond(&w.mu)
	go w.loop()
	return w
}

// scratch holds per-call encoding buffers, so Write encodes outside the lock.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Write assigns e the next Index, fills Wall if it is zero, and buffers e.
// It does not wait for the disk unless 64 MiB are already waiting. It returns
// ErrClosed after Close, and the first write/sync error once one happened.
func (w *Writer) Write(e *Event) error {
	if e.Wall == 0 {
		e.Wall = time.Now().UnixNano()
	}
	bp := scratch.Get().(*[]byte)
	defer scratch.Put(bp)
	tail, err := appendTail((*bp)[:0], e)
	*bp = tail
	if err != nil {
		return fmt.Errorf("write history event: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.cur) >= blockBytes && w.err == nil && !w.closed {
		w.drained.Wait()
	}
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	e.Index = w.next
	w.next++
	w.cur = append(w.cur, `{"i":`...)
	w.cur = strconv.AppendInt(w.cur, e.Index, 10)
	w.cur = append(w.cur, tail...)
	if len(w.cur) >= kickBytes {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Flush writes every event buffered so far and fsyncs the file.
func (w *Writer) Flush() error {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return w.flush(true)
}

// Close flushes, stops the flusher and closes the file. Later Writes return
// ErrClosed; a second Close returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.drained.Broadcast()
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	err := w.flush(true)
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close history %s: %w", w.path, cerr)
	}
	return err
}

func (w *Writer) loop() {
	defer close(w.done)
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.flush(true)
		case <-w.kick:
			w.flush(false)
		}
	}
}

// flush takes the buffer, writes it, and fsyncs if sync is set.
func (w *Writer) flush(sync bool) error {
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	w.mu.Lock()
	buf := w.cur
	w.cur, w.spare = w.spare[:0], nil
	err := w.err
	w.drained.Broadcast()
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if len(buf) > 0 {
		if _, err = w.f.Write(buf); err != nil {
			return w.fail(fmt.Errorf("write history %s: %w", w.path, err))
		}
		w.dirty = true
	}
	if cap(buf) <= 4*kickBytes {
		w.spare = buf[:0] // keep one moderate buffer for the next swap
	}
	if sync && w.dirty {
		if err = w.f.Sync(); err != nil {
			return w.fail(fmt.Errorf("sync history %s: %w", w.path, err))
		}
		w.dirty = false
	}
	return nil
}

func (w *Writer) fail(err error) error {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.drained.Broadcast()
	w.mu.Unlock()
	return err
}
