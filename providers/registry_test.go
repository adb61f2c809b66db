package providers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

type noteParams struct {
	Text string `json:"text" yaml:"text"`
}

type otherParams struct {
	N int `json:"n" yaml:"n"`
}

// noteFault is a fault that does nothing, of any kind.
type noteFault struct{ kind string }

func (f noteFault) Kind() string                  { return f.kind }
func (f noteFault) Params() json.RawMessage       { return json.RawMessage(`{}`) }
func (f noteFault) Inject(context.Context) error  { return nil }
func (f noteFault) Recover(context.Context) error { return nil }

func noteKind(name string, spell scenarios.KindSpec) targets.Kind {
	return targets.Kind{
		Spelling: spell,
		Build: func(_ context.Context, _ targets.Session, st targets.Step) (injectors.Fault, error) {
			return noteFault{kind: name}, nil
		},
		Rebuild: func(json.RawMessage) (injectors.Fault, error) { return noteFault{kind: name}, nil },
	}
}

func noteSpell[P any](name string) scenarios.KindSpec {
	return scenarios.Spell[P](scenarios.KindSpec{Name: name}, nil)
}

// stubProvider serves a target kind with the kinds its faults function registers.
type stubProvider struct {
	kind   string
	faults func(r *targets.Registry)
}

func (p stubProvider) Kind() string { return p.kind }
func (p stubProvider) Open(context.Context, *scenarios.Scenario, targets.OpenOptions) (targets.Session, error) {
	return nil, errors.New("stub")
}
func (p stubProvider) Faults(string) *targets.Registry {
	r := targets.NewRegistry(nil)
	p.faults(r)
	return r
}

func TestRegisterTwicePanics(t *testing.T) {
	for name, register := range map[string]func(r *targets.Registry){
		"a kind twice": func(r *targets.Registry) {
			r.Register(noteKind("note", noteSpell[noteParams]("note")))
			r.Register(noteKind("note", noteSpell[noteParams]("note")))
		},
		"a built-in kind's name": func(r *targets.Registry) { r.Register(noteKind("kill", noteSpell[noteParams]("kill"))) },
		"no builder":             func(r *targets.Registry) { r.Register(targets.Kind{Spelling: noteSpell[noteParams]("note")}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("registering %s did not panic", name)
				}
			}()
			register(Local{}.Faults(""))
		})
	}
}

// The providers' spellings: one per name, sorted; two providers may share
// a kind spelled with one params type, not with two.
func TestSetSpellings(t *testing.T) {
	var whole []string
	for _, k := range Default().Spellings() {
		whole = append(whole, k.Name)
	}
	if want := []string{"disaster", "diskBurst", "restore", "zoneOutage"}; !slices.Equal(whole, want) {
		t.Errorf("this build registers %v whole (the lab's diskBurst and backup drill, the Kubernetes zoneOutage), have %v", want, whole)
	}
	a := stubProvider{"a", func(r *targets.Registry) {
		r.Register(noteKind("note", noteSpell[noteParams]("note")))
		r.Register(noteKind("alarm", noteSpell[noteParams]("alarm")))
	}}
	b := stubProvider{"b", func(r *targets.Registry) { r.Register(noteKind("note", noteSpell[noteParams]("note"))) }}
	var names []string
	for _, k := range New(a, b).Spellings() {
		names = append(names, k.Name)
	}
	if strings.Join(names, ",") != "alarm,note" {
		t.Errorf("spellings %v; want alarm,note", names)
	}
	c := stubProvider{"c", func(r *targets.Registry) { r.Register(noteKind("note", noteSpell[otherParams]("note"))) }}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"note" spelled with`) {
			t.Errorf("two params types for one kind: recovered %v, want a panic", r)
		}
	}()
	New(a, c).Spellings()
}

// badSession builds every built-in kind as "kill".
type badSession struct{ targets.Session }

func (badSession) Name() string { return "t" }
func (badSession) BuildFault(context.Context, targets.Step) (injectors.Fault, error) {
	return noteFault{kind: "kill"}, nil
}

// Build: a kind registered whole by its builder, which must return a fault
// of its kind; any other by the session.
func TestRegistryBuild(t *testing.T) {
	r := targets.NewRegistry(nil)
	r.Register(noteKind("note", noteSpell[noteParams]("note")))
	wrong := noteKind("wrong", noteSpell[noteParams]("wrong"))
	wrong.Build = noteKind("note", scenarios.KindSpec{}).Build // builds a note
	r.Register(wrong)
	ctx := context.Background()
	for kind, want := range map[string]string{"note": "note", "kill": "kill", "wrong": "error"} {
		f, err := r.Build(ctx, badSession{}, targets.Step{Kind: kind})
		got := "error"
		if err == nil {
			got = f.Kind()
		}
		if got != want {
			t.Errorf("Build(%s) = %s (err %v); want %s", kind, got, err, want)
		}
	}
}
