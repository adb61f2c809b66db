package reports

import (
	"errors"
	"io"

	"faultline.dev/faultline/history"
)

// errTruncated marks a history its writer never closed: the harness was
// killed mid-run (the file ends in a partial line or zero padding).
// Everything before it is usable.
var errTruncated = errors.New("history truncated: the harness stopped while writing it")

// scanHistory calls fn for every event of the history.jsonl at path, in
// file order, streaming. A partial last line yields errTruncated after all
// whole events were seen; a malformed line elsewhere is an error naming it.
func scanHistory(path string, fn func(*history.Event)) error {
	r, err := history.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		fn(e)
	}
	if r.Truncated() {
		return errTruncated
	}
	return nil
}
