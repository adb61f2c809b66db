package injectors

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := testRegistry()
	if got := r.Kinds(); !reflect.DeepEqual(got, []string{"fake", "touchfile"}) {
		t.Fatalf("kinds %v", got)
	}
	f, err := r.Build("touchfile", json.RawMessage(`{"path":"/tmp/x"}`))
	if err != nil || f.Kind() != "touchfile" {
		t.Fatalf("build: %v, %v", f, err)
	}
	if _, err := r.Build("nope", nil); err == nil || !strings.Contains(err.Error(), "touchfile") {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := r.Build("touchfile", json.RawMessage(`{}`)); err == nil {
		t.Fatal("factory error not returned")
	}
	r.Register("liar", func(json.RawMessage) (Fault, error) { return newFake("x"), nil })
	if _, err := r.Build("liar", nil); err == nil {
		t.Fatal("a factory building another kind was accepted")
	}
}

func TestRegistryDuplicatePanics(t *testing.T) {
	r := testRegistry()
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate Register did not panic")
		}
	}()
	r.Register("fake", newTouchFile)
}
