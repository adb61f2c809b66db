package reports

import (
	"encoding/json"
	"fmt"
	"io"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

// SchemaVersion identifies the result.json format (docs/result.md).
const SchemaVersion = "faultline.dev/result/v1"

// Exit codes of a run or check, by verdict.
const (
	ExitValid   = 0
	ExitInvalid = 1
	ExitUnknown = 2
)

// Result is result.json. Times are nanoseconds since run start.
type Result struct {
	SchemaVersion  string          `json:"schemaVersion"`
	Scenario       string          `json:"scenario"`
	RunID          string          `json:"runId"`
	Seed           int64           `json:"seed"`
	Verdict        verify.Status   `json:"verdict"`
	ExitCode       int             `json:"exitCode"`
	Partial        bool            `json:"partial"`
	PartialReasons []string        `json:"partialReasons"`
	DurationNs     int64           `json:"durationNs"`
	Counts         Counts          `json:"counts"`
	Checks         []ResultCheck   `json:"checks"`
	Windows        []verify.Window `json:"windows"`
	Faults         []ResultFault   `json:"faults"`
	Artifacts      ResultArtifacts `json:"artifacts"`
}

// ResultCheck is one checker's verdict.
type ResultCheck struct {
	Check     string          `json:"check"`
	Status    verify.Status   `json:"status"`
	Summary   string          `json:"summary"`
	Evidence  json.RawMessage `json:"evidence,omitempty"`
	Artifacts []string        `json:"artifacts,omitempty"`
}

// ResultFault is one fault window and what is known of its effect.
type ResultFault struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Targets  []string        `json:"targets"`
	Selector string          `json:"selector,omitempty"`
	Summary  string          `json:"summary,omitempty"`
	Start    int64           `json:"start"`
	End      int64           `json:"end"`
	Healed   bool            `json:"healed"`
	Action   bool            `json:"action,omitempty"`
	Effect   Effect          `json:"effect"`
	Evidence json.RawMessage `json:"evidence,omitempty"`
}

// ResultArtifacts names the run directory's files, relative to it.
type ResultArtifacts struct {
	Report   string   `json:"report"`
	Summary  string   `json:"summary"`
	JUnit    string   `json:"junit"`
	History  string   `json:"history"`
	Final    string   `json:"final,omitempty"`
	Verdicts string   `json:"verdicts,omitempty"`
	Logs     []string `json:"logs"`
}

// Verdict is the run's overall verdict: the worst of the checkers'
// verdicts. A run without verdicts is unknown. A run cannot pass on less
// than the whole evidence: a partial run, or one where a fault's effect could
// not be shown or its injection failed, is at best unknown.
func (m *Model) Verdict() verify.Status {
	if m.Verdicts == nil {
		return verify.Unknown
	}
	s := verify.Worst(m.Verdicts)
	if s == verify.Valid && (m.Partial || m.ineffectiveFault()) {
		return verify.Unknown
	}
	return s
}

func (m *Model) ineffectiveFault() bool {
	for _, f := range m.Faults {
		if f.Effect == EffectNoEffect || f.Effect == EffectError {
			return true
		}
	}
	return false
}

// ExitCode maps a verdict to faultline's exit code. A measured check
// asserts nothing: alone it exits as valid.
func ExitCode(s verify.Status) int {
	switch s {
	case verify.Valid, verify.Measured:
		return ExitValid
	case verify.Invalid:
		return ExitInvalid
	}
	return ExitUnknown
}

// Result builds result.json's content from m.
func (m *Model) Result() *Result {
	v := m.Verdict()
	r := &Result{
		SchemaVersion: SchemaVersion, Scenario: m.Scenario, RunID: m.RunID, Seed: m.Seed,
		Verdict: v, ExitCode: ExitCode(v), Partial: m.Partial,
		PartialReasons: append([]string{}, m.PartialReasons...),
		DurationNs:     m.End, Counts: m.Counts,
		Checks: []ResultCheck{}, Windows: append([]verify.Window{}, m.Windows...), Faults: []ResultFault{},
		Artifacts: m.artifacts(),
	}
	for _, c := range m.Verdicts {
		r.Checks = append(r.Checks, ResultCheck{c.Check, c.Status, c.Summary, c.Evidence, c.Artifacts})
	}
	for _, f := range m.Faults {
		r.Faults = append(r.Faults, ResultFault{
			ID: f.ID, Kind: f.Kind, Targets: append([]string{}, f.Targets...), Selector: f.Selector,
			Summary: f.Summary, Start: f.Start, End: f.End, Healed: f.Healed, Action: f.Action,
			Effect: f.Effect, Evidence: f.Evidence,
		})
	}
	return r
}

func (m *Model) artifacts() ResultArtifacts {
	a := ResultArtifacts{
		Report: history.FileReport, Summary: history.FileSummary, JUnit: history.FileJUnit,
		History: history.FileHistory, Logs: append([]string{}, m.Logs...),
	}
	if m.Final != nil {
		a.Final = history.FileFinal
	}
	if m.Verdicts != nil {
		a.Verdicts = history.FileVerdicts
	}
	return a
}

// WriteResult writes result.json's content, indented.
func WriteResult(m *Model, w io.Writer) error {
	if err := encodeJSON(w, m.Result()); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
