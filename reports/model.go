// Package reports renders a run directory into the documents people and CI
// read: report.html (self-contained, inline SVG charts), summary.md (a CI
// step summary), result.json (a versioned machine-readable result, see
// docs/result.md) and junit.xml. Every renderer works from the run
// directory alone, through Load, so a run can be re-rendered after the fact
// and a run killed half-way still gets a report marked partial.
package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

// Model is everything the renderers need, read once from a run directory.
// Times are nanoseconds since run start, as in the history.
type Model struct {
	Dir          string
	Meta         *RunMeta // nil when run.json is missing
	Scenario     string
	RunID        string
	Seed         int64
	ScenarioYAML string

	Final    *history.Final   // nil when final.json is missing
	Verdicts []verify.Verdict // nil when verdicts.json is missing
	Windows  []verify.Window  // every verdict's RPO/RTO windows

	Partial        bool
	PartialReasons []string

	End      int64    // time of the last event
	Counts   Counts   // operation and event counts
	Seconds  []Second // per-second series, index = second since run start
	Faults   []FaultWindow
	Timeline []NodeTimeline // one lane per node, in node order
	Marks    []Mark
	Cluster  []ClusterMark // what the target's control plane reported, in time order
	Backups  []BackupMark  // the backups the harness took, in the order they finished
	Logs     []string      // node logs, relative to Dir

	// Credits are the disk credit balances of burst disks (diskBurst), by node.
	Credits []CreditSeries
}

// ClusterMark is one pod or node change the target's control plane
// reported (a Kubernetes target): drawn on the pod's lane and listed.
type ClusterMark struct {
	Time int64
	Node string // the database node (pod) it concerns, "" for a Kubernetes node
	history.ClusterEvent
}

// Counts are totals over the history.
type Counts struct {
	Events  int64 `json:"events"`
	Invoke  int64 `json:"invoke"`
	OK      int64 `json:"ok"`
	Fail    int64 `json:"fail"`
	Info    int64 `json:"info"`
	Pending int64 `json:"pending"` // invoked, never completed
	Faults  int64 `json:"faults"`  // fault events
	Probes  int64 `json:"probes"`  // probe samples
}

// Mark is a run milestone (workload start/end, heal-all, final read).
type Mark struct {
	Time int64
	Name string
}

// Load reads the run directory dir. Missing optional files (run.json,
// final.json, verdicts.json) and a truncated history make the model partial
// rather than failing; only unreadable or corrupt files are errors.
func Load(dir string) (*Model, error) {
	m := &Model{Dir: dir}
	meta, err := ReadRunMeta(dir)
	if err != nil {
		return nil, err
	}
	m.Meta = meta
	steps := []func() error{m.loadIdentity, m.loadHistory, m.loadFinal, m.loadVerdicts, m.loadLogs}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("load run %s: %w", dir, err)
		}
	}
	m.checkComplete()
	return m, nil
}

func (m *Model) partial(reason string) {
	m.Partial = true
	m.PartialReasons = append(m.PartialReasons, reason)
}

func (m *Model) path(name string) string { return filepath.Join(m.Dir, name) }

// readOptional reads a run file; a missing file yields nil, nil.
func (m *Model) readOptional(name string) ([]byte, error) {
	b, err := os.ReadFile(m.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func (m *Model) loadIdentity() error {
	y, err := m.readOptional(history.FileScenario)
	if err != nil {
		return err
	}
	m.ScenarioYAML = string(y)
	if m.Meta != nil {
		m.Scenario, m.RunID, m.Seed = m.Meta.Scenario, m.Meta.RunID, m.Meta.Seed
	}
	if m.Scenario == "" {
		m.Scenario = scenarioName(y)
	}
	if m.Scenario == "" {
		m.Scenario = filepath.Base(filepath.Clean(m.Dir))
	}
	if m.RunID == "" {
		m.RunID = filepath.Base(filepath.Clean(m.Dir))
	}
	if m.Seed == 0 {
		s, err := m.readOptional(history.FileSeed)
		if err != nil {
			return err
		}
		m.Seed, _ = strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64)
	}
	return nil
}

func scenarioName(y []byte) string {
	var doc struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if len(y) == 0 || yaml.Unmarshal(y, &doc) != nil {
		return ""
	}
	return doc.Metadata.Name
}

func (m *Model) loadHistory() error {
	_, err := os.Stat(m.path(history.FileHistory))
	if errors.Is(err, fs.ErrNotExist) {
		m.partial("no history.jsonl")
		return nil
	}
	b := newBuilder(m.nodeOrder())
	err = scanHistory(m.path(history.FileHistory), b.add)
	if errors.Is(err, errTruncated) {
		m.partial("history truncated (the harness stopped while writing it)")
	} else if err != nil {
		return err
	}
	b.finish(m)
	return nil
}

// nodeOrder is the node order of run.json, if any.
func (m *Model) nodeOrder() []MetaNode {
	if m.Meta == nil {
		return nil
	}
	return m.Meta.Target.Nodes
}

func (m *Model) loadFinal() error {
	b, err := m.readOptional(history.FileFinal)
	if err != nil || b == nil {
		return err
	}
	var f history.Final
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("parse %s: %w", history.FileFinal, err)
	}
	m.Final = &f
	return nil
}

func (m *Model) loadVerdicts() error {
	b, err := m.readOptional(history.FileVerdicts)
	if err != nil || b == nil {
		return err
	}
	vs := []verify.Verdict{}
	if err := json.Unmarshal(b, &vs); err != nil {
		return fmt.Errorf("parse %s: %w", history.FileVerdicts, err)
	}
	m.Verdicts = vs
	for _, v := range vs {
		m.Windows = append(m.Windows, v.Windows...)
	}
	sort.SliceStable(m.Windows, func(i, j int) bool { return m.Windows[i].Start < m.Windows[j].Start })
	return nil
}

func (m *Model) loadLogs() error {
	ents, err := os.ReadDir(m.path(history.DirLogs))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() {
			m.Logs = append(m.Logs, filepath.ToSlash(filepath.Join(history.DirLogs, e.Name())))
		}
	}
	return nil
}

// checkComplete records why a run is partial, beyond a truncated history.
func (m *Model) checkComplete() {
	if m.Meta != nil && m.Meta.Partial {
		reason := "the runner marked the run partial"
		if m.Meta.PartialReason != "" {
			reason += ": " + m.Meta.PartialReason
		}
		m.partial(reason)
	} else if m.Meta != nil && m.Meta.Ended == nil {
		m.partial("run.json has no end time (run interrupted?)")
	}
	if m.Final == nil {
		m.partial("no final.json (final read missing)")
	}
	if m.Verdicts == nil {
		m.partial("no verdicts.json (not checked)")
	}
}
