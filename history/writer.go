package history

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"faultline.dev/faultline/internal/fsutil"
)

// Writer cadence and window size.
const (
	syncEvery = 100 * time.Millisecond
	// windowBytes is the part of the file mapped at a time: the file grows
	// by this much (allocated up front, so a full disk is an error rather
	// than a SIGBUS), and pages of earlier windows leave the process's
	// memory once written.
	windowBytes = 4 << 20
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("history writer closed")

// Writer appends events to a history file. Write encodes the event and
// copies it into a shared memory mapping of the file: no system call per
// event, and an event Write has returned is in the kernel's page cache, so
// it survives the harness being killed the next instant. A background
// flusher fsyncs at most every 100 ms (against the machine going down).
// A killed writer leaves the file zero-padded to its window's end after the
// last event; readers see that as a partial last line, and Append cuts it.
// It is safe for concurrent use.
type Writer struct {
	path string
	f    *os.File
	fd   int

	mu     sync.Mutex
	win    []byte // the mapped window of the file
	winOff int64  // file offset of win[0]
	off    int64  // file offset just past the last event
	next   int64  // index of the next event
	closed bool
	err    error // sticky mapping or sync error
	dirty  bool  // written since the last fsync

	stop chan struct{}
	done chan struct{}
}

// Create makes a new history file at path; it fails if the file exists, so
// a run never overwrites another run's history.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create history: %w", err)
	}
	if err := fsutil.SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create history %s: %w", path, err)
	}
	return newWriter(path, f, 0, 0)
}

// Append continues the history file at path: a partial last line (the
// writer was killed mid-write) and the zero padding after it are cut off,
// and indexes continue after the last whole event.
func Append(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("append history: %w", err)
	}
	next, err := resumeAt(f)
	if err == nil {
		var end int64
		if end, err = f.Seek(0, io.SeekCurrent); err == nil {
			return newWriter(path, f, next, end)
		}
	}
	f.Close()
	return nil, fmt.Errorf("append history %s: %w", path, err)
}

func newWriter(path string, f *os.File, next, off int64) (*Writer, error) {
	w := &Writer{
		path: path, f: f, fd: int(f.Fd()), next: next, off: off,
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	if err := w.slide(); err != nil {
		f.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	go w.loop()
	return w, nil
}

// scratch holds per-call encoding buffers, so Write encodes outside the lock.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Write assigns e the next Index, fills Wall if it is zero, and appends e
// to the file's mapping; once it returns, e survives the process dying. It
// does not wait for the disk. It returns ErrClosed after Close, and the
// first mapping or sync error once one happened.
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
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	var head [24]byte
	h := append(head[:0], `{"i":`...)
	h = strconv.AppendInt(h, w.next, 10)
	// The newline goes in last, by a store of its own: a writer killed
	// mid-copy leaves a line without one, which readers drop.
	if err := w.put(h); err != nil {
		return err
	}
	if err := w.put(tail[:len(tail)-1]); err != nil {
		return err
	}
	if err := w.put(tail[len(tail)-1:]); err != nil {
		return err
	}
	e.Index = w.next
	w.next++
	w.dirty = true
	return nil
}

// put copies b into the file at w.off, sliding the window as it fills.
// An error is sticky: the history has a hole from then on.
func (w *Writer) put(b []byte) error {
	for len(b) > 0 {
		if w.off == w.winOff+int64(len(w.win)) {
			if err := w.slide(); err != nil {
				w.err = fmt.Errorf("history %s: %w", w.path, err)
				return w.err
			}
		}
		n := copy(w.win[w.off-w.winOff:], b)
		b = b[n:]
		w.off += int64(n)
	}
	return nil
}

// slide maps the window that holds w.off, allocating it in the file first.
// Pages of the window it replaces stay in the page cache until written.
func (w *Writer) slide() error {
	if err := w.unmap(); err != nil {
		return err
	}
	off := w.off - w.off%windowBytes
	if err := unix.Fallocate(w.fd, 0, off, windowBytes); err != nil {
		if !errors.Is(err, unix.EOPNOTSUPP) {
			return fmt.Errorf("allocate %d bytes at %d: %w", windowBytes, off, err)
		}
		// No fallocate (some filesystems): a sparse extension.
		if err := w.f.Truncate(off + windowBytes); err != nil {
			return fmt.Errorf("extend to %d: %w", off+windowBytes, err)
		}
	}
	m, err := unix.Mmap(w.fd, off, windowBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("map %d bytes at %d: %w", windowBytes, off, err)
	}
	w.win, w.winOff = m, off
	return nil
}

func (w *Writer) unmap() error {
	if w.win == nil {
		return nil
	}
	err := unix.Munmap(w.win)
	w.win = nil
	if err != nil {
		return fmt.Errorf("unmap: %w", err)
	}
	return nil
}

// Flush fsyncs the file: every event written so far is on disk.
func (w *Writer) Flush() error {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return w.sync(true)
}

// Close fsyncs, stops the flusher, cuts the file to its last event and
// closes it. Later Writes return ErrClosed; a second Close returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.err
	if uerr := w.unmap(); err == nil && uerr != nil {
		err = fmt.Errorf("close history %s: %w", w.path, uerr)
	}
	if err == nil {
		if terr := w.f.Truncate(w.off); terr != nil {
			err = fmt.Errorf("close history %s: %w", w.path, terr)
		}
	}
	if err == nil {
		if serr := w.f.Sync(); serr != nil {
			err = fmt.Errorf("sync history %s: %w", w.path, serr)
		}
	}
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
			w.sync(false)
		}
	}
}

// sync fsyncs the file if events were written since the last fsync, or
// always when force is set. The copies into the mapping go on meanwhile.
func (w *Writer) sync(force bool) error {
	w.mu.Lock()
	err, dirty := w.err, w.dirty
	w.dirty = false
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if !dirty && !force {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		return w.fail(fmt.Errorf("sync history %s: %w", w.path, err))
	}
	return nil
}

func (w *Writer) fail(err error) error {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	return err
}
