package history

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Reader streams the events of a history in file order, holding only one
// line in memory at a time.
type Reader struct {
	name      string
	br        *bufio.Reader
	c         io.Closer
	long      []byte // reused for lines longer than the bufio buffer
	line      int    // number of the line last read
	dec       decoder
	events    []Event // slab that Next hands out pointers into
	truncated bool
	err       error // sticky
}

// Open opens the history file at path.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open history: %w", err)
	}
	r := NewReader(f, path)
	r.c = f
	return r, nil
}

// NewReader reads a history from src; name is used in error messages.
func NewReader(src io.Reader, name string) *Reader {
	return &Reader{name: name, br: bufio.NewReaderSize(src, 256<<10)}
}

// Next returns the next event, or io.EOF after the last one. A partial last
// line (the writer was killed: a torn event, or the zero padding of its
// mapped window) ends the history: Next returns io.EOF and Truncated
// reports true. A malformed line elsewhere is an error
// naming its line number.
func (r *Reader) Next() (*Event, error) {
	if len(r.events) == 0 {
		r.events = make([]Event, 64)
	}
	e := &r.events[0]
	if err := r.next(e); err != nil {
		return nil, err
	}
	r.events = r.events[1:]
	return e, nil
}

// next decodes the next event into e, which must be zero.
func (r *Reader) next(e *Event) error {
	if r.err != nil {
		return r.err
	}
	for {
		line, last, err := r.readLine()
		if err != nil {
			r.err = err
			return err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := r.dec.decode(line, e); err != nil {
			if last {
				r.truncated = true
				r.err = io.EOF
				return io.EOF
			}
			r.err = fmt.Errorf("history %s line %d: %w", r.name, r.line, err)
			return r.err
		}
		return nil
	}
}

// Truncated reports whether the history ended with a partial line: its
// writer was killed rather than closed.
func (r *Reader) Truncated() bool { return r.truncated }

// Close closes the underlying file, if Open opened it.
func (r *Reader) Close() error {
	if r.c == nil {
		return nil
	}
	return r.c.Close()
}

// readLine returns the next line without its newline; last is set when the
// line had no newline (it ended the input). The line is valid until the
// next call.
func (r *Reader) readLine() (line []byte, last bool, err error) {
	r.line++
	b, err := r.br.ReadSlice('\n')
	if err == nil {
		return b[:len(b)-1], false, nil
	}
	r.long = append(r.long[:0], b...)
	for errors.Is(err, bufio.ErrBufferFull) {
		b, err = r.br.ReadSlice('\n')
		r.long = append(r.long, b...)
	}
	switch {
	case err == nil:
		return r.long[:len(r.long)-1], false, nil
	case err == io.EOF && len(r.long) > 0:
		return r.long, true, nil
	case err == io.EOF:
		return nil, false, io.EOF
	}
	return nil, false, fmt.Errorf("read history %s: %w", r.name, err)
}

// ReadAll reads every whole event of the history at path. A partial last
// line is dropped silently; use a Reader to learn about it.
func ReadAll(path string) ([]Event, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var events []Event
	for {
		events = append(events, Event{})
		err := r.next(&events[len(events)-1])
		if err != nil {
			events = events[:len(events)-1]
			if err == io.EOF {
				return events, nil
			}
			return events, err
		}
	}
}
