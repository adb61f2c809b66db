package history

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// resumeAt prepares f for appending: it cuts a partial last line and the
// zero padding of a killed writer off, fsyncs the cut, positions f at its
// end and returns the index after the last whole event (0 for an empty
// file).
func resumeAt(f *os.File) (int64, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	data, err := dataEnd(f, size)
	if err != nil {
		return 0, err
	}
	last, end, err := lastLine(f, data)
	if err != nil {
		return 0, err
	}
	if end != size {
		if err := f.Truncate(end); err != nil {
			return 0, fmt.Errorf("cut partial last line: %w", err)
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		if _, err := f.Seek(end, io.SeekStart); err != nil {
			return 0, err
		}
	}
	if last == nil {
		return 0, nil
	}
	var e Event
	var d decoder
	if err := d.decode(last, &e); err != nil {
		return 0, fmt.Errorf("last event: %w", err)
	}
	return e.Index + 1, nil
}

// dataEnd is the offset just past the last non-zero byte of the first size
// bytes of f.
func dataEnd(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for pos := size; pos > 0; {
		n := min(int64(len(buf)), pos)
		if _, err := f.ReadAt(buf[:n], pos-n); err != nil {
			return 0, err
		}
		pos -= n
		for i := n - 1; i >= 0; i-- {
			if buf[i] != 0 {
				return pos + i + 1, nil
			}
		}
	}
	return 0, nil
}

// lastLine finds the last newline-terminated, non-blank line of the first
// size bytes of f. It returns that line (without its newline, nil if none)
// and the offset just past its newline.
func lastLine(f *os.File, size int64) ([]byte, int64, error) {
	const chunk = 64 << 10
	var tail []byte // bytes from pos to size
	pos, end := size, int64(-1)
	for pos > 0 {
		n := min(int64(chunk), pos)
		buf := make([]byte, n, n+int64(len(tail)))
		if _, err := f.ReadAt(buf, pos-n); err != nil {
			return nil, 0, err
		}
		pos -= n
		tail = append(buf, tail...)
		if end < 0 {
			if i := bytes.LastIndexByte(tail, '\n'); i >= 0 {
				end = pos + int64(i) + 1
			} else {
				continue
			}
		}
		line := bytes.TrimSpace(tail[:end-pos])
		if len(line) == 0 {
			if pos == 0 {
				return nil, end, nil
			}
			continue
		}
		if i := bytes.LastIndexByte(line, '\n'); i >= 0 || pos == 0 {
			return line[i+1:], end, nil
		}
	}
	if end < 0 {
		end = 0
	}
	return nil, end, nil
}
