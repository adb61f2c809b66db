package verify

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify/elle"
)

// Isolation checks the list-append workload's transactions for isolation
// anomalies (package elle) under a consistency model. When the final state
// converged, each reachable node's final lists are checked too, as one more
// read-only transaction after every other: they complete the version order
// of appends no client read back.
type Isolation struct {
	// Model overrides Input.Model; both empty means serializable.
	Model string
}

// Name is "isolation".
func (Isolation) Name() string { return NameIsolation }

// ArtifactIsolation holds the anomalies found, written on a violation.
const ArtifactIsolation = "isolation-anomalies.json"

// anomaliesShown bounds the anomalies of each type in the evidence;
// anomaliesKept those in the artifact.
const (
	anomaliesShown = 3
	anomaliesKept  = 50
)

// isolationEvidence is the Verdict.Evidence of the isolation check.
type isolationEvidence struct {
	Model string `json:"model"`
	// Transactions counts the list-append transactions in the history;
	// Checked those in the dependency graph (committed, or indeterminate
	// with an observed write).
	Transactions int            `json:"transactions"`
	Checked      int            `json:"checked"`
	FinalReads   int            `json:"finalReads,omitempty"`
	Counts       map[string]int `json:"counts,omitempty"`
	Violations   []string       `json:"violations,omitempty"`
	// Allowed are anomaly types found that the model permits.
	Allowed    []string                  `json:"allowed,omitempty"`
	Incomplete []string                  `json:"incomplete,omitempty"`
	Anomalies  map[string][]elle.Anomaly `json:"anomalies,omitempty"`
}

// Check pairs the history's list-append transactions and runs elle under
// ctx. On a violation, up to anomaliesKept anomalies of each type are
// written to isolation-anomalies.json in the run directory.
func (c Isolation) Check(ctx context.Context, in *Input) Verdict {
	model := c.model(in)
	v := Verdict{Check: NameIsolation, Status: Unknown}
	txns, err := elle.FromHistory(in.Events)
	if err != nil {
		v.Summary = fmt.Sprintf("cannot pair list-append transactions: %v", err)
		return v
	}
	n := len(txns)
	if n == 0 {
		v.Summary = "no list-append transactions in the history"
		return v
	}
	txns = append(txns, finalReads(in.Final)...)
	res, err := elle.CheckContext(ctx, txns, elle.Options{Model: model, MaxPerType: anomaliesKept})
	if err != nil {
		v.Summary = fmt.Sprintf("isolation check under %s: %v", model, err)
		return v
	}
	ev := newIsolationEvidence(res, n, len(txns)-n)
	v.Status = Status(res.Status)
	v.Summary = isolationSummary(res, ev)
	v.Evidence = isolationJSON(ev)
	if res.Status == elle.Invalid && in.Dir != "" {
		if err := writeIsolationJSON(filepath.Join(in.Dir, ArtifactIsolation), res); err != nil {
			v.Summary += fmt.Sprintf(" (%s not written: %v)", ArtifactIsolation, err)
		} else {
			v.Artifacts = []string{ArtifactIsolation}
		}
	}
	return v
}

// newIsolationEvidence summarizes res, keeping anomaliesShown of each type.
func newIsolationEvidence(res elle.Result, txns, finals int) isolationEvidence {
	ev := isolationEvidence{Model: res.Model, Transactions: txns, Checked: res.TxnCount, FinalReads: finals,
		Counts: res.Counts, Violations: res.Violations, Incomplete: res.Incomplete,
		Anomalies: map[string][]elle.Anomaly{}}
	for t, as := range res.Anomalies {
		ev.Anomalies[t] = as[:min(len(as), anomaliesShown)]
		if !slices.Contains(res.Violations, t) {
			ev.Allowed = append(ev.Allowed, t)
		}
	}
	slices.Sort(ev.Allowed)
	return ev
}

func isolationJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"encodeError": err.Error()})
	}
	return b
}

func writeIsolationJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func (c Isolation) model(in *Input) string {
	switch {
	case c.Model != "":
		return c.Model
	case in.Model != "":
		return in.Model
	}
	return elle.Serializable
}

// finalReads turns each reachable node's final lists into a committed
// read-only transaction, when the final state converged.
func finalReads(f *history.Final) []elle.Txn {
	if f == nil || !f.Converged {
		return nil
	}
	var out []elle.Txn
	for i, node := range f.Nodes {
		if !node.Reachable || node.Lists == nil {
			continue
		}
		t := elle.Txn{Process: finalReadProcess - i, Status: history.OK, Invoke: f.Time, Complete: f.Time,
			InvokeIndex: -1, CompleteIndex: -1}
		for k, l := range node.Lists {
			t.Ops = append(t.Ops, history.MicroOp{F: history.MopRead, K: k, L: slices.Clip(l)})
		}
		slices.SortFunc(t.Ops, func(a, b history.MicroOp) int { return cmp.Compare(a.K, b.K) })
		out = append(out, t)
	}
	return out
}

// finalReadProcess numbers the final reads' pseudo-processes downwards,
// clear of clients and of history.Process* ids.
const finalReadProcess = -1000

// isolationSummary is one line: the forbidden anomalies and their counts.
func isolationSummary(res elle.Result, ev isolationEvidence) string {
	switch res.Status {
	case elle.Invalid:
		return fmt.Sprintf("%s under %s", countList(res.Counts, res.Violations), res.Model)
	case elle.Unknown:
		return fmt.Sprintf("isolation under %s unknown: %s", res.Model, res.Reason)
	}
	s := fmt.Sprintf("%d transactions checked under %s: no forbidden anomaly", res.TxnCount, res.Model)
	if len(ev.Allowed) > 0 {
		s += fmt.Sprintf(" (allowed: %s)", countList(res.Counts, ev.Allowed))
	}
	return s
}

// countList renders "G-single ×3, G2-item ×1".
func countList(counts map[string]int, types []string) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%s ×%d", t, counts[t])
	}
	return strings.Join(parts, ", ")
}

var _ Checker = Isolation{}
