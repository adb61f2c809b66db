package injectors

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

var errLedger = errors.New("forced ledger error")

var guardSeed = flag.Uint64("guard-seed", 42, "seed of TestGuardRandomized's plan")

// ledgerFailer arms the ledger to fail its (skip+1)th next commit.
type ledgerFailer struct {
	armed bool
	skip  int
}

// next consumes one commit and reports whether it fails.
func (lf *ledgerFailer) next() bool {
	if !lf.armed {
		return false
	}
	if lf.skip > 0 {
		lf.skip--
		return false
	}
	lf.armed = false
	return true
}

// guardModel is the expected behaviour of one guard.
type guardModel struct {
	id     string
	g      *Guard
	f      *fakeFault
	state  State
	record bool // the ledger should hold a record
}

// step is one expected outcome: the error the step returns (nil, errForced,
// errLedger or ErrIllegal) and the fault call it makes ("" = none).
type outcome struct {
	err  error
	call string
}

// expect advances the model by one step and returns what must happen.
func (m *guardModel) expect(step string, ledger *ledgerFailer) outcome {
	forced := m.f.failNext
	switch {
	case step == "recover" && m.state == Recovered:
		return outcome{}
	case step == "inject" && m.state != Pending,
		step == "verify" && m.state != Injected,
		step == "recover" && m.state != Injected && m.state != Failed:
		return outcome{err: ErrIllegal}
	}
	fail := func(err error) error { m.state = Failed; return err }
	switch step {
	case "inject":
		if ledger.next() {
			return outcome{err: fail(errLedger)}
		}
		m.record = true
		if forced {
			ledger.next()
			return outcome{err: fail(errForced), call: step}
		}
		if ledger.next() {
			return outcome{err: fail(errLedger), call: step}
		}
		m.state = Injected
	case "verify":
		if forced {
			ledger.next()
			return outcome{err: fail(errForced), call: step}
		}
	case "recover":
		if forced {
			return outcome{err: fail(errForced), call: step}
		}
		if ledger.next() {
			return outcome{err: fail(errLedger), call: step}
		}
		m.state, m.record = Recovered, false
	}
	return outcome{call: step}
}

// TestGuardRandomized drives several guards with a seeded random plan of
// steps and forced fault and ledger errors, and checks after every step that
// the guard allowed exactly the legal steps, failed only with the forced
// error, never called the fault on an illegal step, and that the ledger
// holds a record exactly when the model says so — in particular whenever
// the fault's effect is present.
func TestGuardRandomized(t *testing.T) {
	const steps, guards = 10000, 4
	seed := *guardSeed
	rng := rand.New(rand.NewPCG(seed, seed))
	l, err := OpenLedger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	real, model := &ledgerFailer{}, &ledgerFailer{}
	l.commitHook = func(string) error {
		if real.next() {
			return errLedger
		}
		return nil
	}
	ctx := context.Background()
	ms := make([]*guardModel, guards)
	serial := 0
	seen := map[string]int{}
	renew := func(i int) {
		serial++
		id := fmt.Sprintf("step-%d", serial)
		f := newFake(id)
		ms[i] = &guardModel{id: id, f: f, g: NewGuard(l, "run-1", id, []string{"n1"}, f), state: Pending}
	}
	for i := range ms {
		renew(i)
	}
	for n := 0; n < steps; n++ { // n counts lifecycle steps; arming and renewing are extra
		i := rng.IntN(guards)
		m := ms[i]
		var step string
		switch k := rng.IntN(20); {
		case k < 5:
			step = "inject"
		case k < 9:
			step = "verify"
		case k < 13:
			step = "recover"
		case k < 15:
			m.f.failNext = true
			n--
			continue
		case k < 16:
			model.armed, model.skip = true, rng.IntN(3)
			*real = *model
			n--
			continue
		default:
			if m.state == Recovered {
				renew(i)
			}
			n--
			continue
		}
		before := maps.Clone(m.f.calls)
		want := m.expect(step, model)
		var err error
		switch step {
		case "inject":
			err = m.g.Inject(ctx)
		case "verify":
			var ev Evidence
			ev, err = m.g.Verify(ctx)
			if err == nil && !ev.Held {
				t.Fatalf("step %d: verify of %s: effect not held", n, m.id)
			}
		case "recover":
			err = m.g.Recover(ctx)
		}
		where := fmt.Sprintf("step %d (seed %d): %s %s", n, seed, step, m.id)
		checkErr(t, where, err, want.err)
		seen[step+"/"+errName(want)]++
		checkCalls(t, where, before, m.f.calls, want.call)
		if got := m.g.State(); got != m.state {
			t.Fatalf("%s: state %s, want %s", where, got, m.state)
		}
		if *real != *model {
			t.Fatalf("%s: ledger commits %+v, want %+v", where, *real, *model)
		}
		checkLedger(t, where, l, ms)
	}
	for _, c := range []string{"inject/ok", "inject/forced", "inject/ledger", "inject/illegal",
		"verify/ok", "verify/forced", "verify/illegal",
		"recover/ok", "recover/noop", "recover/forced", "recover/ledger", "recover/illegal"} {
		if seen[c] == 0 {
			t.Errorf("the plan never exercised %s", c)
		}
	}
	t.Logf("outcomes: %v", seen)
}

func errName(o outcome) string {
	switch {
	case o.err == nil && o.call == "":
		return "noop"
	case o.err == nil:
		return "ok"
	case o.err == ErrIllegal:
		return "illegal"
	case o.err == errLedger:
		return "ledger"
	}
	return "forced"
}

func checkErr(t *testing.T, where string, got, want error) {
	t.Helper()
	if want == nil && got != nil || want != nil && !errors.Is(got, want) {
		t.Fatalf("%s: error %v, want %v", where, got, want)
	}
	if got != nil && want != ErrIllegal && errors.Is(got, ErrIllegal) {
		t.Fatalf("%s: legal step refused: %v", where, got)
	}
}

func checkCalls(t *testing.T, where string, before, after map[string]int, call string) {
	t.Helper()
	want := maps.Clone(before)
	if call != "" {
		want[call]++
	}
	if !maps.Equal(after, want) {
		t.Fatalf("%s: fault calls %v, want %v", where, after, want)
	}
}

func checkLedger(t *testing.T, where string, l *FileLedger, ms []*guardModel) {
	t.Helper()
	recs, err := l.List("run-1")
	if err != nil {
		t.Fatalf("%s: list: %v", where, err)
	}
	var got, want []string
	for _, r := range recs {
		got = append(got, r.ID)
	}
	for _, m := range ms {
		if m.record {
			want = append(want, m.id)
		}
		if m.f.effect && !m.record {
			t.Fatalf("%s: %s has its effect but no record", where, m.id)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: ledger holds %v, want %v", where, got, want)
	}
}
