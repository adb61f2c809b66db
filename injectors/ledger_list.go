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

	"faultline.dev/faultline/internal/fsutil"
)

// Runs lists the runs that have open records, sorted.
func (l *FileLedger) Runs() ([]string, error) {
	entries, err := os.ReadDir(l.root)
	if err != nil {
		return nil, fmt.Errorf("ledger runs: %w", err)
	}
	var runs []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			runs = append(runs, e.Name())
		}
	}
	sort.Strings(runs)
	return runs, nil
}

// List returns the open records of run runID, or of every run if runID is
// "", oldest first. A record that cannot be read is reported in the joined
// error; the others are still returned.
func (l *FileLedger) List(runID string) ([]Record, error) {
	runs := []string{runID}
	if runID == "" {
		var err error
		if runs, err = l.Runs(); err != nil {
			return nil, err
		}
	} else if err := checkNames(runID, "x"); err != nil {
		return nil, fmt.Errorf("ledger list: %w", err)
	}
	var recs []Record
	var errs []error
	for _, run := range runs {
		r, err := l.listRun(run)
		recs = append(recs, r...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	sortRecords(recs)
	return recs, errors.Join(errs...)
}

func (l *FileLedger) listRun(runID string) ([]Record, error) {
	dir := filepath.Join(l.root, runID)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger list %s: %w", runID, err)
	}
	var recs []Record
	var errs []error
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue // temp files of an interrupted write
		}
		rec, err := readRecord(filepath.Join(dir, e.Name()))
		if err == nil && (rec.RunID != runID || rec.ID != id) {
			err = fmt.Errorf("ledger record %s names %s/%s", filepath.Join(dir, e.Name()), rec.RunID, rec.ID)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, rec)
	}
	return recs, errors.Join(errs...)
}

func readRecord(path string) (Record, error) {
	var rec Record
	data, err := os.ReadFile(path)
	if err != nil {
		return rec, fmt.Errorf("read ledger record: %w", err)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, fmt.Errorf("read ledger record %s: %w", path, err)
	}
	return rec, nil
}

// Sweep removes what interrupted writes left in run runID ("" = every run):
// temp files, and run directories left empty. It must not race a live
// writer of the same run.
func (l *FileLedger) Sweep(runID string) error {
	runs := []string{runID}
	if runID == "" {
		var err error
		if runs, err = l.Runs(); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, run := range runs {
		dir := filepath.Join(l.root, run)
		temps, _ := filepath.Glob(filepath.Join(dir, "*.json.tmp-*"))
		for _, tmp := range temps {
			if err := os.Remove(tmp); err != nil {
				errs = append(errs, fmt.Errorf("ledger sweep: %w", err))
			}
		}
		if os.Remove(dir) == nil { // only succeeds when empty
			errs = append(errs, fsutil.SyncDir(l.root))
		}
	}
	return errors.Join(errs...)
}
