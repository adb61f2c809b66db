package scenarios

import (
	"encoding/json"
	"io"
	"testing"
)

// FuzzLoad: no input makes the loader, validator, defaults or planner
// panic, and every rejection is an ErrorList. The seed corpus
// (testdata/fuzz/FuzzLoad) holds the library scenarios and testdata/bad.yaml.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(planDoc))
	f.Add([]byte(doc{}.String()))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadBytes("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("error is %T, want ErrorList: %v", err, err)
			}
			_ = err.Error()
			return
		}
		_ = ValidateFor(s, Capabilities{})
		p := NewPlan(s, 1)
		if err := p.WriteTable(io.Discard); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	})
}
