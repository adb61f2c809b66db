package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// appendEvent appends e as one JSON line (terminated by '\n') to dst. The
// output decodes with encoding/json to an equal Event; it is produced without
// reflection because the history writer encodes every client operation.
func appendEvent(dst []byte, e *Event) ([]byte, error) {
	dst = append(dst, `{"i":`...)
	dst = strconv.AppendInt(dst, e.Index, 10)
	return appendTail(dst, e)
}

// appendTail appends every field after the index, the closing brace and the
// newline. The writer encodes the tail outside its lock and prefixes the
// index under it.
func appendTail(dst []byte, e *Event) ([]byte, error) {
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, e.Time, 10)
	dst = append(dst, `,"wall":`...)
	dst = strconv.AppendInt(dst, e.Wall, 10)
	dst = append(dst, `,"p":`...)
	dst = strconv.AppendInt(dst, int64(e.Process), 10)
	dst = append(dst, `,"type":`...)
	dst = appendString(dst, string(e.Type))
	dst = appendStringField(dst, `,"f":`, e.F)
	var err error
	if len(e.Value) > 0 {
		dst = append(dst, `,"value":`...)
		if dst, err = appendRaw(dst, e.Value); err != nil {
			return dst, fmt.Errorf("event value: %w", err)
		}
	}
	dst = appendStringField(dst, `,"node":`, e.Node)
	dst = appendStringField(dst, `,"err":`, e.Err)
	if e.Intended != 0 {
		dst = append(dst, `,"intended":`...)
		dst = strconv.AppendInt(dst, e.Intended, 10)
	}
	if e.Fault != nil {
		if dst, err = appendMarshal(dst, `,"fault":`, e.Fault); err != nil {
			return dst, err
		}
	}
	if e.Probe != nil {
		if dst, err = appendMarshal(dst, `,"probe":`, e.Probe); err != nil {
			return dst, err
		}
	}
	if e.Cluster != nil {
		if dst, err = appendMarshal(dst, `,"cluster":`, e.Cluster); err != nil {
			return dst, err
		}
	}
	if e.Backup != nil {
		if dst, err = appendMarshal(dst, `,"backup":`, e.Backup); err != nil {
			return dst, err
		}
	}
	return append(dst, '}', '\n'), nil
}

func appendStringField(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendString(append(dst, key...), s)
}

// appendMarshal encodes the rare nested objects (fault, probe, cluster) with
// encoding/json.
func appendMarshal(dst []byte, key string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, fmt.Errorf("event %s %w", key[2:len(key)-2], err)
	}
	return append(append(dst, key...), b...), nil
}

// appendRaw appends a raw JSON value, validated and, if it holds any
// whitespace (a newline would split the line), compacted.
func appendRaw(dst []byte, raw json.RawMessage) ([]byte, error) {
	if !json.Valid(raw) {
		return dst, fmt.Errorf("invalid JSON %.40q", raw)
	}
	if !bytes.ContainsAny(raw, " \t\r\n") {
		return append(dst, raw...), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return dst, err
	}
	return append(dst, buf.Bytes()...), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does:
// control characters, '"', '\\', the HTML characters <, >, & and U+2028/2029
// are escaped and invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedByte(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(append(dst, s[start:i]...), `\u202`...)
			dst = append(dst, hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendEscapedByte(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// safeASCII reports the ASCII bytes that need no escaping.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	t[0x7f] = true
	return t
}()
