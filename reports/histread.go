package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"faultline.dev/faultline/history"
)

// errTruncated marks a history whose last line is incomplete: the run was
// killed mid-write. Everything before it is usable.
var errTruncated = errors.New("history truncated: last line incomplete")

// scanHistory calls fn for every event of the history.jsonl at path, in file
// order. The *Event passed to fn is reused: fn must copy what it keeps. An
// unparsable last line yields errTruncated after all good events were seen;
// an unparsable line elsewhere is an error naming the line.
func scanHistory(path string, fn func(*history.Event)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open history: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var ev history.Event
	var bad error
	for line := 1; ; line++ {
		b, rerr := r.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("read history %s: %w", path, rerr)
		}
		b = bytes.TrimSpace(b)
		if len(b) > 0 {
			if bad != nil {
				return bad // a bad line followed by more lines: corruption, not truncation
			}
			ev = history.Event{}
			if err := json.Unmarshal(b, &ev); err != nil {
				bad = fmt.Errorf("history %s line %d: %w", path, line, err)
			} else {
				fn(&ev)
			}
		}
		if rerr != nil {
			break
		}
	}
	if bad != nil {
		return fmt.Errorf("%w (%w)", errTruncated, bad)
	}
	return nil
}
