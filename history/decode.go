package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// decoder parses one history line into an Event without reflection. It
// accepts what encoding/json accepts for the Event schema: fields in any
// order, unknown fields skipped, keys matched case-insensitively, null
// leaving a field unset. Raw values are copied verbatim.
type decoder struct {
	b      []byte
	i      int
	intern map[string]string // operation and node names repeat on every line
	slab   []byte            // backing store for small raw values
}

const maxIntern = 4096

var errSyntax = errors.New("invalid JSON")

func (d *decoder) syntax(what string) error {
	if d.i >= len(d.b) {
		return fmt.Errorf("%w: unexpected end of line, expected %s", errSyntax, what)
	}
	return fmt.Errorf("%w at column %d: expected %s, got %q", errSyntax, d.i+1, what, d.b[d.i])
}

// decode parses line into e, which must be zero.
func (d *decoder) decode(line []byte, e *Event) error {
	d.b, d.i = line, 0
	d.ws()
	if !d.eat('{') {
		return d.syntax("'{'")
	}
	d.ws()
	if d.eat('}') {
		return d.end()
	}
	for {
		if err := d.field(e); err != nil {
			return err
		}
		d.ws()
		if d.eat('}') {
			return d.end()
		}
		if !d.eat(',') {
			return d.syntax("',' or '}'")
		}
		d.ws()
	}
}

func (d *decoder) end() error {
	d.ws()
	if d.i != len(d.b) {
		return d.syntax("end of line")
	}
	return nil
}

func (d *decoder) field(e *Event) error {
	key, err := d.key()
	if err != nil {
		return err
	}
	d.ws()
	if !d.eat(':') {
		return d.syntax("':'")
	}
	d.ws()
	if err := d.value(e, canonicalKey(key)); err != nil {
		return fmt.Errorf("field %q: %w", key, err)
	}
	return nil
}

var eventKeys = []string{"i", "t", "wall", "p", "type", "f", "value", "node", "err", "intended", "fault", "probe", "cluster", "backup"}

// canonicalKey maps a key to its Event field name as encoding/json would
// (exact match first, then case-insensitive); "" for an unknown key.
func canonicalKey(key []byte) string {
	switch string(key) {
	case "i":
		return "i"
	case "t":
		return "t"
	case "wall":
		return "wall"
	case "p":
		return "p"
	case "type":
		return "type"
	case "f":
		return "f"
	case "value":
		return "value"
	case "node":
		return "node"
	case "err":
		return "err"
	}
	for _, k := range eventKeys {
		if strings.EqualFold(string(key), k) {
			return k
		}
	}
	return ""
}

func (d *decoder) value(e *Event, key string) error {
	var err error
	switch key {
	case "i":
		err = d.int(&e.Index)
	case "t":
		err = d.int(&e.Time)
	case "wall":
		err = d.int(&e.Wall)
	case "intended":
		err = d.int(&e.Intended)
	case "p":
		var p int64 = int64(e.Process)
		err = d.int(&p)
		e.Process = int(p)
	case "type":
		var s string
		s, err = d.string(string(e.Type))
		e.Type = Type(s)
	case "f":
		e.F, err = d.string(e.F)
	case "node":
		e.Node, err = d.string(e.Node)
	case "err":
		e.Err, err = d.string(e.Err)
	case "value":
		var raw []byte
		if raw, err = d.raw(); err == nil {
			e.Value = d.copyRaw(raw)
		}
	case "fault":
		err = decodeObject(d, &e.Fault)
	case "probe":
		err = decodeObject(d, &e.Probe)
	case "cluster":
		err = decodeObject(d, &e.Cluster)
	case "backup":
		err = decodeObject(d, &e.Backup)
	default:
		_, err = d.raw()
	}
	return err
}

// decodeObject decodes a rare nested object with encoding/json; null
// leaves it unchanged.
func decodeObject[T any](d *decoder, p **T) error {
	raw, err := d.raw()
	if err != nil || string(raw) == "null" {
		return err
	}
	v := new(T)
	if *p != nil {
		*v = **p
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return err
	}
	*p = v
	return nil
}

// copyRaw copies a raw value out of the line buffer. Small values share a
// slab, so reading a value costs no allocation of its own; each copy's
// capacity is capped so appending to it cannot touch its neighbours.
func (d *decoder) copyRaw(raw []byte) json.RawMessage {
	const slabSize, small = 8 << 10, 256
	if len(raw) > small {
		return append(json.RawMessage(nil), raw...)
	}
	if cap(d.slab)-len(d.slab) < len(raw) {
		d.slab = make([]byte, 0, slabSize)
	}
	start := len(d.slab)
	d.slab = append(d.slab, raw...)
	return d.slab[start:len(d.slab):len(d.slab)]
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) eat(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *decoder) null() bool {
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}
