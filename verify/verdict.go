// Package verify holds faultline's checkers. Each reads a run — the history
// and the final state of every node — and returns a three-valued Verdict
// with evidence: lost writes, split-brain, RPO/RTO, the bank invariant,
// linearizability of registers, isolation anomalies of list-append
// transactions, and convergence.
package verify

import "encoding/json"

// Status is a checker's three-valued outcome. A checker that timed out or
// lacked data says Unknown, never Valid. A measurement with no threshold to
// judge it against (an RPO or RTO the scenario sets no target for) is
// Measured: shown, never judged, and never the run's verdict.
type Status string

// Statuses.
const (
	Valid    Status = "valid"
	Invalid  Status = "invalid"
	Unknown  Status = "unknown"
	Measured Status = "measured"
)

// Verdict is the outcome of one checker.
type Verdict struct {
	Check   string `json:"check"` // lost-writes, split-brain, rpo, rto, bank, linearizable, isolation, convergence
	Status  Status `json:"status"`
	Summary string `json:"summary"` // one line for people
	// Evidence is checker-specific (the lost ops, the cycle, the interval…);
	// reports render it generically as JSON when they do not know its shape.
	Evidence json.RawMessage `json:"evidence,omitempty"`
	// Windows are per-fault measurements (RPO/RTO).
	Windows []Window `json:"windows,omitempty"`
	// Artifacts are files the checker wrote into the run directory (relative paths).
	Artifacts []string `json:"artifacts,omitempty"`
}

// Window is a per-fault measurement compared with a threshold.
type Window struct {
	Fault     string `json:"fault"`               // fault id
	Kind      string `json:"kind"`                // fault kind
	Start     int64  `json:"start"`               // ns since run start
	End       int64  `json:"end,omitempty"`       // healed, ns since run start
	Metric    string `json:"metric"`              // rpo, rto, rto-client, rto-heal
	Value     int64  `json:"value"`               // ns
	Count     int    `json:"count,omitempty"`     // e.g. lost commits
	Client    *int   `json:"client,omitempty"`    // rto-client: the worst client's process id
	Threshold *int64 `json:"threshold,omitempty"` // ns
	Status    Status `json:"status"`              // Measured when Threshold is nil
	Note      string `json:"note,omitempty"`
}

// Worst combines statuses: invalid beats unknown beats valid. Measured
// checks assert nothing and are left out: checks that are all valid or
// measured make a valid run.
func Worst(vs []Verdict) Status {
	s := Valid
	for _, v := range vs {
		switch v.Status {
		case Invalid:
			return Invalid
		case Unknown:
			s = Unknown
		}
	}
	return s
}
