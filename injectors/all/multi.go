package all

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"faultline.dev/faultline/injectors"
)

// Multi is one per-node fault kind applied to several nodes: its params are
// the parts' params, so it is rebuilt part by part.
type Multi struct {
	kind  string
	parts []injectors.Fault
}

var _ injectors.Verifier = (*Multi)(nil)

// multiParams is the recorded form of a Multi.
type multiParams struct {
	Parts []json.RawMessage `json:"parts"`
}

// NewMulti groups parts of one kind.
func NewMulti(kind string, parts []injectors.Fault) *Multi { return &Multi{kind: kind, parts: parts} }

// multiFactory rebuilds a Multi with one part factory.
func multiFactory(kind string, part func(json.RawMessage) (injectors.Fault, error)) injectors.Factory {
	return func(raw json.RawMessage) (injectors.Fault, error) {
		var p multiParams
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("%s params: %w", kind, err)
		}
		m := &Multi{kind: kind}
		for _, r := range p.Parts {
			f, err := part(r)
			if err != nil {
				return nil, err
			}
			m.parts = append(m.parts, f)
		}
		return m, nil
	}
}

// Kind is the parts' kind.
func (m *Multi) Kind() string { return m.kind }

// Params lists the parts' params.
func (m *Multi) Params() json.RawMessage {
	var p multiParams
	for _, f := range m.parts {
		p.Parts = append(p.Parts, f.Params())
	}
	b, _ := json.Marshal(p)
	return b
}

// Inject injects the parts in order and stops at the first error (Recover
// then heals them all: recovering what was not injected is a no-op).
func (m *Multi) Inject(ctx context.Context) error {
	for _, f := range m.parts {
		if err := f.Inject(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Recover recovers every part, even past failures.
func (m *Multi) Recover(ctx context.Context) error {
	var errs []error
	for _, f := range m.parts {
		errs = append(errs, f.Recover(ctx))
	}
	return errors.Join(errs...)
}

// Verify holds when every part that can prove itself does.
func (m *Multi) Verify(ctx context.Context) (injectors.Evidence, error) {
	held := true
	var sums []string
	var data []injectors.Evidence
	for _, f := range m.parts {
		v, ok := f.(injectors.Verifier)
		if !ok {
			continue
		}
		ev, err := v.Verify(ctx)
		if err != nil {
			return injectors.Evidence{}, err
		}
		held = held && ev.Held
		sums = append(sums, ev.Summary)
		data = append(data, ev)
	}
	b, _ := json.Marshal(data)
	return injectors.Evidence{Held: held, Summary: strings.Join(sums, "; "), Data: b}, nil
}

// SampleTo hands record to every part that samples its target.
func (m *Multi) SampleTo(record func(injectors.Sample)) {
	for _, f := range m.parts {
		if s, ok := f.(injectors.Sampler); ok {
			s.SampleTo(record)
		}
	}
}

// EndWindow ends the window of every part whose Verify waits for one.
func (m *Multi) EndWindow() {
	for _, f := range m.parts {
		if w, ok := f.(injectors.WindowEnder); ok {
			w.EndWindow()
		}
	}
}
