package scenarios

import (
	"fmt"
	"time"
)

// evsRelation is one bound between two EVS periods that Galera checks at
// start (see galera.go): a ≤ b/div, or a ≥ b when atLeast.
type evsRelation struct {
	a, b    string
	div     int64
	atLeast bool
}

var evsRelations = []evsRelation{
	{a: "evs.inactive_check_period", b: "evs.suspect_timeout", div: 2},
	{a: "evs.keepalive_period", b: "evs.suspect_timeout", div: 3},
	{a: "evs.install_timeout", b: "evs.keepalive_period", div: 1, atLeast: true},
	{a: "evs.install_timeout", b: "evs.inactive_timeout", div: 1},
}

// evsPeriod is an EVS period's effective value: written and valid, or
// Galera's default (install_timeout's is inactive_timeout/2). from is the
// written option the value comes from ("" for a plain default); note says
// where a default comes from.
func evsPeriod(key string, opts map[string]string, vals map[string]float64) (d time.Duration, from, note string, ok bool) {
	if _, written := opts[key]; written {
		x, ok := vals[key]
		return time.Duration(x), key, "", ok
	}
	if key == "evs.install_timeout" {
		in, from, _, ok := evsPeriod("evs.inactive_timeout", opts, vals)
		return in / 2, from, " (Galera's default, evs.inactive_timeout/2)", ok
	}
	d, ok = parseGaleraPeriod(galeraParams[key].def)
	return d, "", " (Galera's default)", ok
}

// evsRelations checks the bounds between EVS periods, with defaults for
// the ones left out. The error goes to the written option the bounded
// value comes from, else to the bounding one.
func (v *validator) evsRelations(p string, opts map[string]string, vals map[string]float64) {
	for _, r := range evsRelations {
		a, aFrom, aNote, aok := evsPeriod(r.a, opts, vals)
		b, bFrom, bNote, bok := evsPeriod(r.b, opts, vals)
		if !aok || !bok || aFrom == "" && bFrom == "" {
			continue
		}
		bound := b / time.Duration(r.div)
		if r.atLeast && a >= bound || !r.atLeast && a <= bound {
			continue
		}
		at := aFrom
		if at == "" {
			at = bFrom
		}
		rel, op, hint := "at most", "≤", roundDown(bound)
		if r.atLeast {
			rel, op, hint = "at least", "≥", bound
		}
		v.errorf(join(p, at), "%s %s%s must be %s %s%s = %s, or Galera refuses to start every node; expected %s %s %s, e.g. %s: %s",
			r.a, galeraPeriodString(a), aNote, rel, boundName(r), bNote, galeraPeriodString(bound),
			r.a, op, galeraPeriodString(bound), r.a, galeraPeriodString(hint))
	}
}

func boundName(r evsRelation) string {
	if r.div == 1 {
		return r.b
	}
	return fmt.Sprintf("%s/%d", r.b, r.div)
}

// roundDown rounds a bound down to a tenth of a second when that leaves
// something, for a friendlier suggestion.
func roundDown(d time.Duration) time.Duration {
	if r := d.Truncate(100 * time.Millisecond); r > 0 {
		return r
	}
	return d
}

// windowRelation: evs.user_send_window ≤ evs.send_window.
func (v *validator) windowRelation(p string, opts map[string]string, vals map[string]float64) {
	const u, s = "evs.user_send_window", "evs.send_window"
	_, uw := opts[u]
	_, sw := opts[s]
	user, uok := vals[u]
	send, sok := vals[s]
	if !uw {
		user, uok = 2, true
	}
	if !sw {
		send, sok = 4, true
	}
	if !uok || !sok || !uw && !sw || user <= send {
		return
	}
	at := u
	if !uw {
		at = s
	}
	v.errorf(join(p, at), "%s %g must be at most %s %g, or Galera refuses to start every node; expected %s ≤ %s", u, user, s, send, u, s)
}
