package injectors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"faultline.dev/faultline/internal/fsutil"
)

// DefaultStateDir is where faultline keeps state that must survive a crash.
const DefaultStateDir = "/var/lib/faultline"

// StateDirEnv overrides DefaultStateDir.
const StateDirEnv = "FAULTLINE_STATE_DIR"

// StateDir is $FAULTLINE_STATE_DIR, or DefaultStateDir if it is unset.
func StateDir() string {
	if d := os.Getenv(StateDirEnv); d != "" {
		return d
	}
	return DefaultStateDir
}

// TargetRef names the target a fault was injected into, so that `faultline
// recover` can reopen that target (a local lab by name and state directory,
// a Kubernetes StatefulSet by kubeconfig context and namespace) with the
// provider of its kind.
type TargetRef struct {
	Kind     string            `json:"kind"`               // the scenario's target kind: local, kubernetes
	Name     string            `json:"name"`               // lab name, or namespace/statefulset
	StateDir string            `json:"stateDir,omitempty"` // where the target keeps its state (local labs)
	Attrs    map[string]string `json:"attrs,omitempty"`    // provider-specific: kubeconfig, context, …
}

// Ledger keeps a durable record of every fault that may be in effect. The
// guard writes a record before a fault is injected and removes it only after
// the fault recovered; RecoverAll replays what is left after a crash.
// FileLedger is the local implementation; another target may keep records
// elsewhere (e.g. labelled objects in a cluster).
type Ledger interface {
	// Put writes rec, replacing any record with the same run and id; it is
	// durable when it returns.
	Put(rec Record) error
	// Remove deletes a record; a missing record is not an error.
	Remove(runID, id string) error
	// List returns the open records of run runID ("" = every run), oldest first.
	List(runID string) ([]Record, error)
}

// Sweeper is a ledger that can clean what interrupted writes left behind.
type Sweeper interface {
	Sweep(runID string) error
}

var (
	_ Ledger  = (*FileLedger)(nil)
	_ Sweeper = (*FileLedger)(nil)
)

// Record is the ledger's note of a fault that may be in effect. It is
// written before the fault is injected and removed only after it is
// recovered, so it holds everything needed to recover it after a crash.
type Record struct {
	RunID   string          `json:"runId"`
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`
	Params  json.RawMessage `json:"params,omitempty"`
	Targets []string        `json:"targets,omitempty"`
	// Target is the target the fault was injected into (absent in records
	// written before targets were named: those are local labs).
	Target  TargetRef `json:"target,omitzero"`
	State   State     `json:"state"` // the guard's state when the record was last written
	Created time.Time `json:"created"`
}

// FileLedger keeps one file per open fault under <dir>/ledger/<runID>/<id>.json.
// Every change is atomic and durable (temp file, fsync, rename, fsync of the
// directory), so a SIGKILL at any point leaves either the old or the new
// record, never a partial one.
type FileLedger struct {
	root string
	mu   sync.Mutex
	// commitHook, if set, runs before a record is renamed into place or
	// removed; an error aborts the change. For tests.
	commitHook func(op string) error
}

// OpenLedger opens (creating if needed) the ledger in state directory dir;
// "" means StateDir().
func OpenLedger(dir string) (*FileLedger, error) {
	if dir == "" {
		dir = StateDir()
	}
	root := filepath.Join(dir, "ledger")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open fault ledger: %w", err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return nil, fmt.Errorf("open fault ledger: %w", err)
	}
	return &FileLedger{root: root}, nil
}

// Dir is the ledger's directory.
func (l *FileLedger) Dir() string { return l.root }

// Put writes rec, replacing any record with the same run and id.
func (l *FileLedger) Put(rec Record) error {
	if err := checkNames(rec.RunID, rec.ID); err != nil {
		return fmt.Errorf("ledger put: %w", err)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("ledger put %s/%s: %w", rec.RunID, rec.ID, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.put(rec.RunID, rec.ID, append(data, '\n')); err != nil {
		return fmt.Errorf("ledger put %s/%s: %w", rec.RunID, rec.ID, err)
	}
	return nil
}

func (l *FileLedger) put(runID, id string, data []byte) error {
	runDir := filepath.Join(l.root, runID)
	if err := l.mkdirDurable(runDir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(runDir, id+".json.tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && l.commitHook != nil {
		err = l.commitHook("put")
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(runDir, id+".json")); err != nil {
		return err
	}
	return fsutil.SyncDir(runDir)
}

func (l *FileLedger) mkdirDurable(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return fsutil.SyncDir(l.root)
}

// Remove deletes the record of fault id in run runID; a missing record is
// not an error. The run's directory goes when its last record does.
func (l *FileLedger) Remove(runID, id string) error {
	if err := checkNames(runID, id); err != nil {
		return fmt.Errorf("ledger remove: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.remove(runID, id); err != nil {
		return fmt.Errorf("ledger remove %s/%s: %w", runID, id, err)
	}
	return nil
}

func (l *FileLedger) remove(runID, id string) error {
	if l.commitHook != nil {
		if err := l.commitHook("remove"); err != nil {
			return err
		}
	}
	runDir := filepath.Join(l.root, runID)
	err := os.Remove(filepath.Join(runDir, id+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := fsutil.SyncDir(runDir); err != nil {
		return err
	}
	if os.Remove(runDir) == nil { // only succeeds when empty
		return fsutil.SyncDir(l.root)
	}
	return nil
}

func checkNames(runID, id string) error {
	for _, n := range []string{runID, id} {
		if n == "" || strings.HasPrefix(n, ".") || strings.ContainsAny(n, "/\\\x00") {
			return fmt.Errorf("invalid run or fault id %q", n)
		}
	}
	return nil
}

// sortRecords orders records by creation, then id.
func sortRecords(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].Created.Equal(recs[j].Created) {
			return recs[i].Created.Before(recs[j].Created)
		}
		return recs[i].ID < recs[j].ID
	})
}
