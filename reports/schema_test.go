package reports

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The result.json schema is checked with a full JSON Schema 2020-12
// validator, so docs/result-schema.json is held to what tools will do with it.
var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func resultSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		f, err := os.Open("../docs/result-schema.json")
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if schemaErr = c.AddResource("result-schema.json", doc); schemaErr != nil {
			return
		}
		schema, schemaErr = c.Compile("result-schema.json")
	})
	if schemaErr != nil {
		t.Fatalf("compile docs/result-schema.json: %v", schemaErr)
	}
	return schema
}

func validateResult(t *testing.T, b []byte) {
	t.Helper()
	if err := checkAgainstSchema(t, b); err != nil {
		t.Errorf("result.json does not match docs/result-schema.json: %v", err)
	}
}

func checkAgainstSchema(t *testing.T, b []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse result.json: %v", err)
	}
	return resultSchema(t).Validate(inst)
}

func TestResultSchemaRejectsInconsistentResults(t *testing.T) {
	m, err := Load(testdataRun)
	must(t, err)
	for name, mutate := range map[string]func(*Result){
		"valid with exit 1":   func(r *Result) { r.Verdict, r.ExitCode = "valid", 1 },
		"valid and partial":   func(r *Result) { r.Verdict, r.ExitCode, r.Partial = "valid", 0, true },
		"unknown verdict":     func(r *Result) { r.Verdict = "maybe" },
		"measured verdict":    func(r *Result) { r.Verdict, r.ExitCode = "measured", 0 },
		"absolute artifact":   func(r *Result) { r.Artifacts.Report = "/etc/passwd" },
		"wrong schemaVersion": func(r *Result) { r.SchemaVersion = "v0" },
	} {
		t.Run(name, func(t *testing.T) {
			r := m.Result()
			mutate(r)
			var b bytes.Buffer
			must(t, encodeJSON(&b, r))
			if checkAgainstSchema(t, b.Bytes()) == nil {
				t.Errorf("schema accepted a result with %s", name)
			}
		})
	}
}

// TestResultDocExampleMatchesSchema keeps the example in docs/result.md valid.
func TestResultDocExampleMatchesSchema(t *testing.T) {
	doc, err := os.ReadFile("../docs/result.md")
	must(t, err)
	_, after, ok := bytes.Cut(doc, []byte("### Example\n\n```json\n"))
	example, _, closed := bytes.Cut(after, []byte("```"))
	if !ok || !closed {
		t.Fatal("docs/result.md has no example json block under ### Example")
	}
	validateResult(t, example)
}
