package history

// A validating scanner of JSON values, used to find the extent of raw values
// (value, params, evidence, unknown fields) without decoding them.

// raw scans one JSON value and returns its bytes (valid until the next line).
func (d *decoder) raw() ([]byte, error) {
	start := d.i
	if err := d.skip(0); err != nil {
		return nil, err
	}
	return d.b[start:d.i], nil
}

const maxDepth = 10000

func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return d.syntax("less nesting")
	}
	if d.i >= len(d.b) {
		return d.syntax("a value")
	}
	switch c := d.b[d.i]; {
	case c == '"':
		return d.skipString()
	case c == '{':
		return d.skipObject(depth)
	case c == '[':
		return d.skipArray(depth)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if d.i+len(lit) <= len(d.b) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return nil
		}
	}
	return d.syntax("a value")
}

func (d *decoder) skipObject(depth int) error {
	d.i++ // '{'
	d.ws()
	if d.eat('}') {
		return nil
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return d.syntax("a key")
		}
		if err := d.skipString(); err != nil {
			return err
		}
		d.ws()
		if !d.eat(':') {
			return d.syntax("':'")
		}
		d.ws()
		if err := d.skip(depth + 1); err != nil {
			return err
		}
		d.ws()
		if d.eat('}') {
			return nil
		}
		if !d.eat(',') {
			return d.syntax("',' or '}'")
		}
		d.ws()
	}
}

func (d *decoder) skipArray(depth int) error {
	d.i++ // '['
	d.ws()
	if d.eat(']') {
		return nil
	}
	for {
		if err := d.skip(depth + 1); err != nil {
			return err
		}
		d.ws()
		if d.eat(']') {
			return nil
		}
		if !d.eat(',') {
			return d.syntax("',' or ']'")
		}
		d.ws()
	}
}

// skipString scans a string starting at its opening quote. Invalid UTF-8 is
// accepted, as encoding/json accepts it.
func (d *decoder) skipString() error {
	d.i++ // '"'
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return nil
		case c < 0x20:
			return d.syntax("no control character in a string")
		case c == '\\':
			if err := d.skipEscape(); err != nil {
				return err
			}
			continue
		}
		d.i++
	}
	return d.syntax("'\"'")
}

func (d *decoder) skipEscape() error {
	d.i++ // '\\'
	if d.i >= len(d.b) {
		return d.syntax("an escape")
	}
	switch d.b[d.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i++
		return nil
	case 'u':
		d.i++
		for k := 0; k < 4; k++ {
			if d.i >= len(d.b) || !isHex(d.b[d.i]) {
				return d.syntax("a hex digit")
			}
			d.i++
		}
		return nil
	}
	return d.syntax("an escape")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number scans a JSON number per the RFC 8259 grammar.
func (d *decoder) number() error {
	d.eat('-')
	switch {
	case d.eat('0'):
	case d.digits() == 0:
		return d.syntax("a digit")
	}
	if d.eat('.') && d.digits() == 0 {
		return d.syntax("a digit")
	}
	if d.eat('e') || d.eat('E') {
		if !d.eat('+') {
			d.eat('-')
		}
		if d.digits() == 0 {
			return d.syntax("a digit")
		}
	}
	return nil
}

func (d *decoder) digits() int {
	n := 0
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}
