package history

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Scalars of the Event schema: integers and strings.

// int parses a JSON integer into *p; null leaves it unchanged.
func (d *decoder) int(p *int64) error {
	if d.null() {
		return nil
	}
	start := d.i
	if err := d.number(); err != nil {
		return err
	}
	tok := d.b[start:d.i]
	if n, ok := parseSmallInt(tok); ok {
		*p = n
		return nil
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil {
		return fmt.Errorf("cannot decode number %s into an integer", tok)
	}
	*p = n
	return nil
}

// parseSmallInt parses an optionally negative decimal of at most 19 digits
// that fits in an int64 (unix nanoseconds have 19).
func parseSmallInt(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	if len(tok) == 0 || len(tok) > 19 {
		return 0, false
	}
	var n uint64 // 19 digits fit
	for _, c := range tok {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// key parses an object key and returns its bytes (valid until the next line).
func (d *decoder) key() ([]byte, error) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, d.syntax("a key")
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return d.b[start:j], nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	s, err := d.string("")
	return []byte(s), err
}

// string parses a JSON string; null returns old unchanged.
func (d *decoder) string(old string) (string, error) {
	if d.null() {
		return old, nil
	}
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", d.syntax("a string")
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return d.internString(d.b[start:j]), nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	// Escapes or non-ASCII: validate, then let encoding/json unescape.
	from := d.i
	if err := d.skipString(); err != nil {
		return "", err
	}
	var s string
	if err := json.Unmarshal(d.b[from:d.i], &s); err != nil {
		return "", err
	}
	return s, nil
}

func (d *decoder) internString(b []byte) string {
	switch string(b) { // event types, without a map lookup
	case "invoke":
		return string(Invoke)
	case "ok":
		return string(OK)
	case "fail":
		return string(Fail)
	case "info":
		return string(Info)
	}
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= 64 && len(d.intern) < maxIntern {
		if d.intern == nil {
			d.intern = make(map[string]string)
		}
		d.intern[s] = s
	}
	return s
}
