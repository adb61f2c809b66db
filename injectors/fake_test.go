package injectors

import (
	"context"
	"encoding/json"
	"errors"
)

var errForced = errors.New("forced fault error")

// fakeFault counts its calls, tracks whether its effect is present, and
// fails its next call when armed.
type fakeFault struct {
	name     string
	calls    map[string]int
	effect   bool
	failNext bool
}

var (
	_ Fault    = (*fakeFault)(nil)
	_ Verifier = (*fakeFault)(nil)
)

func newFake(name string) *fakeFault { return &fakeFault{name: name, calls: map[string]int{}} }

func (f *fakeFault) Kind() string { return "fake" }

func (f *fakeFault) Params() json.RawMessage {
	b, _ := json.Marshal(map[string]string{"name": f.name})
	return b
}

func (f *fakeFault) call(step string) error {
	f.calls[step]++
	if f.failNext {
		f.failNext = false
		return errForced
	}
	return nil
}

func (f *fakeFault) Inject(context.Context) error {
	if err := f.call("inject"); err != nil {
		return err
	}
	f.effect = true
	return nil
}

func (f *fakeFault) Verify(context.Context) (Evidence, error) {
	if err := f.call("verify"); err != nil {
		return Evidence{}, err
	}
	return Evidence{Held: f.effect, Summary: "fake"}, nil
}

func (f *fakeFault) Recover(context.Context) error {
	if err := f.call("recover"); err != nil {
		return err
	}
	f.effect = false
	return nil
}
