package injectors

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"time"
)

// touchFile is a real, file-touching fault for tests: Inject creates a
// marker file (after an optional delay), Recover removes it.
type touchFile struct {
	P touchParams
}

type touchParams struct {
	Path    string `json:"path"`
	DelayMs int    `json:"delayMs,omitempty"`
}

var _ Fault = (*touchFile)(nil)

func newTouchFile(params json.RawMessage) (Fault, error) {
	f := &touchFile{}
	if err := json.Unmarshal(params, &f.P); err != nil {
		return nil, err
	}
	if f.P.Path == "" {
		return nil, errors.New("touchfile: no path")
	}
	return f, nil
}

func (f *touchFile) Kind() string { return "touchfile" }

func (f *touchFile) Params() json.RawMessage {
	b, _ := json.Marshal(f.P)
	return b
}

func (f *touchFile) Inject(ctx context.Context) error {
	select {
	case <-time.After(time.Duration(f.P.DelayMs) * time.Millisecond):
	case <-ctx.Done():
		return ctx.Err()
	}
	return os.WriteFile(f.P.Path, []byte("injected\n"), 0o644)
}

func (f *touchFile) Recover(context.Context) error {
	if err := os.Remove(f.P.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// testRegistry knows the test faults.
func testRegistry() *Registry {
	r := NewRegistry()
	r.Register("touchfile", newTouchFile)
	r.Register("fake", func(params json.RawMessage) (Fault, error) {
		var p struct{ Name string }
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		return newFake(p.Name), nil
	})
	return r
}
