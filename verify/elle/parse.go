package elle

import (
	"strconv"

	"faultline.dev/faultline/history"
)

// parseOps decodes a list-append value, [["append",k,v],["r",k,null|[…]],…],
// without reflection: histories hold millions of list elements. It reports
// false on anything it does not expect — escapes, numbers that are not
// int64s, unknown functions, bad syntax — and the caller then decodes with
// encoding/json, which remains the reference (and reports the error).
func parseOps(b []byte) ([]history.MicroOp, bool) {
	p := opParser{b: b}
	if !p.eat('[') {
		return nil, false
	}
	ops := []history.MicroOp{}
	if p.eat(']') {
		return ops, p.end()
	}
	for {
		op, ok := p.op()
		if !ok {
			return nil, false
		}
		ops = append(ops, op)
		if p.eat(']') {
			return ops, p.end()
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// opParser is a cursor over a JSON value.
type opParser struct {
	b []byte
	i int
}

func (p *opParser) ws() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// eat consumes c (after whitespace) if it comes next.
func (p *opParser) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *opParser) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// op parses ["append",k,v] or ["r",k,null|[…]].
func (p *opParser) op() (history.MicroOp, bool) {
	var op history.MicroOp
	if !p.eat('[') || !p.eat('"') {
		return op, false
	}
	start := p.i
	for p.i < len(p.b) && p.b[p.i] != '"' && p.b[p.i] != '\\' {
		p.i++
	}
	if p.i == len(p.b) || p.b[p.i] != '"' {
		return op, false
	}
	f := string(p.b[start:p.i])
	p.i++
	var ok bool
	if !p.eat(',') {
		return op, false
	}
	if op.K, ok = p.int(); !ok || !p.eat(',') {
		return op, false
	}
	switch f {
	case history.MopAppend:
		op.F = history.MopAppend
		op.V, ok = p.int()
	case history.MopRead:
		op.F = history.MopRead
		op.L, ok = p.list()
	default:
		return op, false
	}
	return op, ok && p.eat(']')
}

// list parses null (nil) or an array of int64s (never nil).
func (p *opParser) list() ([]int64, bool) {
	p.ws()
	if p.i+4 <= len(p.b) && string(p.b[p.i:p.i+4]) == "null" {
		p.i += 4
		return nil, true
	}
	if !p.eat('[') {
		return nil, false
	}
	l := make([]int64, 0, p.elements())
	if p.eat(']') {
		return l, true
	}
	for {
		v, ok := p.int()
		if !ok {
			return nil, false
		}
		l = append(l, v)
		if p.eat(']') {
			return l, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// elements counts the elements up to the closing bracket of a flat array.
func (p *opParser) elements() int {
	n := 1
	for _, c := range p.b[p.i:] {
		switch c {
		case ',':
			n++
		case ']':
			return n
		}
	}
	return n
}

// int parses an integer in JSON syntax that fits an int64.
func (p *opParser) int() (int64, bool) {
	p.ws()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	n := p.i - digits
	if n == 0 || (n > 1 && p.b[digits] == '0') {
		return 0, false
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	if n < 18 {
		var v int64
		for _, c := range p.b[digits:p.i] {
			v = v*10 + int64(c-'0')
		}
		if digits > start {
			v = -v
		}
		return v, true
	}
	v, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return v, err == nil
}
