package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"faultline.dev/faultline/internal/fsutil"
)

// FileRunMeta is the run directory file holding RunMeta.
const FileRunMeta = "run.json"

// RunMeta is run.json: who ran what, where and with which versions. The
// runner writes it when the run starts and rewrites it when the run ends (or
// is interrupted, with Partial set), so a report can say what it is about
// without re-reading the scenario.
type RunMeta struct {
	Scenario        string     `json:"scenario"`
	RunID           string     `json:"runId"`
	Seed            int64      `json:"seed"`
	Started         time.Time  `json:"started"`
	Ended           *time.Time `json:"ended,omitempty"` // nil while running or when killed
	Partial         bool       `json:"partial"`
	PartialReason   string     `json:"partialReason,omitempty"`
	DurationSeconds float64    `json:"durationSeconds"` // planned workload duration
	Target          MetaTarget `json:"target"`
	Environment     MetaEnv    `json:"environment"`
	// Config holds the server options in force (my.cnf keys, provider options).
	Config map[string]string `json:"config,omitempty"`
}

// MetaTarget describes the cluster a run drove.
type MetaTarget struct {
	Kind     string     `json:"kind"`               // local | kubernetes
	Topology string     `json:"topology,omitempty"` // galera | replication
	Nodes    []MetaNode `json:"nodes,omitempty"`
}

// MetaNode is one node of the target and its zone.
type MetaNode struct {
	Name string `json:"name"`
	Zone string `json:"zone,omitempty"`
}

// MetaEnv holds the versions of everything that shaped the run.
type MetaEnv struct {
	Faultline string `json:"faultline,omitempty"`
	MariaDB   string `json:"mariadb,omitempty"`
	Galera    string `json:"galera,omitempty"`
	Kernel    string `json:"kernel,omitempty"`
	Go        string `json:"go,omitempty"`
	Host      string `json:"host,omitempty"`
}

// ReadRunMeta reads dir/run.json. A missing file yields (nil, nil): older
// and interrupted runs may not have one.
func ReadRunMeta(dir string) (*RunMeta, error) {
	path := filepath.Join(dir, FileRunMeta)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read run meta: %w", err)
	}
	var m RunMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return &m, nil
}

// WriteRunMeta writes m as dir/run.json, atomically (temp file + rename), so
// a reader never sees half a file.
func WriteRunMeta(dir string, m *RunMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run meta: %w", err)
	}
	return fsutil.WriteFileAtomic(filepath.Join(dir, FileRunMeta), append(b, '\n'), 0o644)
}
