package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"faultline.dev/faultline/internal/fsutil"
	"faultline.dev/faultline/targets"
)

// ToolMariaBackup is the physical backup tool the lab drives (Debian's
// mariadb-backup package).
const ToolMariaBackup = "mariadb-backup"

// backupsKept is how many completed backups of a run stay on disk: the
// latest (what a restore uses) and the one before it.
const backupsKept = 2

// manifestFile marks a completed backup; a directory without it is a
// backup that failed or was cut short.
const manifestFile = "faultline-backup.json"

// manifest is what a completed backup's directory says about it.
type manifest struct {
	ID   string             `json:"id"`
	Seq  int                `json:"seq"`
	Info targets.BackupInfo `json:"info"`
}

var _ targets.Backuper = (*Lab)(nil)

// drillLocks serialises backups and restores of one lab (by lab directory):
// a restore never wipes a node a backup is reading, and a backup never
// copies a node a restore is rebuilding.
var drillLocks sync.Map

func (l *Lab) drillLock() *sync.Mutex {
	m, _ := drillLocks.LoadOrStore(l.n.labDir(), &sync.Mutex{})
	return m.(*sync.Mutex)
}

func (n names) backupsDir(runID string) string {
	return filepath.Join(n.labDir(), "backups", runID)
}

// Backup takes a physical, consistent backup of a node with mariadb-backup
// (--galera-info records the Galera position it is consistent at; on a
// replication node mariadb_backup_binlog_info records its binlog GTID) into the
// lab's directory, marks it complete, and prunes older completed backups of
// the run. Without a node it backs up the first node that serves writes.
func (l *Lab) Backup(ctx context.Context, req targets.BackupRequest) (targets.BackupInfo, error) {
	if req.Tool != "" && req.Tool != ToolMariaBackup {
		return targets.BackupInfo{}, fmt.Errorf("backup %s of lab %s: tool %q; expected %s", req.ID, l.st.Name, req.Tool, ToolMariaBackup)
	}
	mu := l.drillLock()
	if !mu.TryLock() { // a restore is rebuilding the nodes: nothing to back up
		return targets.BackupInfo{}, fmt.Errorf("backup %s of lab %s: a restore is in progress", req.ID, l.st.Name)
	}
	defer mu.Unlock()
	node, err := l.backupNode(ctx, req.Node)
	if err != nil {
		return targets.BackupInfo{}, fmt.Errorf("backup %s of lab %s: %w", req.ID, l.st.Name, err)
	}
	dir := filepath.Join(l.n.backupsDir(req.RunID), req.ID)
	info, err := l.mariaBackup(ctx, node, dir)
	if err != nil {
		return info, fmt.Errorf("backup %s of %s: %w", req.ID, node, err)
	}
	b, _ := json.MarshalIndent(manifest{ID: req.ID, Seq: req.Seq, Info: info}, "", "  ")
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, manifestFile), b, 0o600); err != nil {
		return info, fmt.Errorf("backup %s of %s: %w", req.ID, node, err)
	}
	l.pruneBackups(req.RunID)
	return info, nil
}

// backupNode is node, or the first node that probes writable.
func (l *Lab) backupNode(ctx context.Context, node string) (string, error) {
	if node != "" {
		_, err := l.node(node)
		return node, err
	}
	for _, ns := range l.st.Nodes {
		if l.Probe(ctx, ns.Name).Writable {
			return ns.Name, nil
		}
	}
	return "", fmt.Errorf("no node serves writes")
}

// mariaBackup runs mariadb-backup --backup against node's server through
// its socket (a unix socket is reachable from outside the node's network
// namespace) and reads the consistent point it wrote down.
func (l *Lab) mariaBackup(ctx context.Context, node, dir string) (targets.BackupInfo, error) {
	info := targets.BackupInfo{Node: node, Dir: dir}
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return info, err
	}
	args := []string{"--defaults-file=" + l.n.cnf(node), "--backup", "--galera-info",
		"--target-dir=" + dir, "--user=" + adminUser, "--password=" + l.st.Password,
		"--socket=" + l.n.socket(node)}
	if _, err := run(ctx, ToolMariaBackup, args...); err != nil {
		return info, err
	}
	return readBackupInfo(dir, info)
}

// readBackupInfo reads the consistent point files mariadb-backup leaves in
// a backup directory.
func readBackupInfo(dir string, info targets.BackupInfo) (targets.BackupInfo, error) {
	cp, err := os.ReadFile(filepath.Join(dir, "xtrabackup_checkpoints"))
	if err != nil {
		return info, fmt.Errorf("backup %s: %w", dir, err)
	}
	info.LSN = checkpointLSN(string(cp))
	for _, f := range []string{"mariadb_backup_galera_info", "xtrabackup_galera_info"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
			info.GTID = firstField(string(b))
			break
		}
	}
	for _, f := range []string{"mariadb_backup_binlog_info", "xtrabackup_binlog_info"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
			info.BinlogPos, info.GTID = binlogInfo(string(b), info.GTID)
			break
		}
	}
	info.Bytes = dirSize(dir)
	return info, nil
}

// checkpointLSN is last_lsn (else to_lsn) of xtrabackup_checkpoints.
func checkpointLSN(s string) int64 {
	var to, last int64
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch strings.TrimSpace(k) {
		case "to_lsn":
			to = n
		case "last_lsn":
			last = n
		}
	}
	if last > 0 {
		return last
	}
	return to
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// binlogInfo reads "file position [gtid]"; the GTID, when present, is the
// consistent point, else gtid stays as it was.
func binlogInfo(s, gtid string) (pos, point string) {
	f := strings.Fields(s)
	if len(f) >= 2 {
		pos = f[0] + ":" + f[1]
	}
	if len(f) >= 3 {
		gtid = f[2]
	}
	return pos, gtid
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// completedBackups lists a run's completed backups, latest first.
func (l *Lab) completedBackups(runID string) []manifest {
	entries, _ := os.ReadDir(l.n.backupsDir(runID))
	var out []manifest
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(l.n.backupsDir(runID), e.Name(), manifestFile))
		var m manifest
		if err == nil && json.Unmarshal(b, &m) == nil {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq > out[j].Seq })
	return out
}

// pruneBackups removes completed backups beyond backupsKept and any
// directory of a backup that did not complete before the latest one.
func (l *Lab) pruneBackups(runID string) {
	done := l.completedBackups(runID)
	keep := map[string]bool{}
	for i, m := range done {
		if i < backupsKept {
			keep[m.ID] = true
		}
	}
	entries, _ := os.ReadDir(l.n.backupsDir(runID))
	for _, e := range entries {
		if !keep[e.Name()] {
			_ = os.RemoveAll(filepath.Join(l.n.backupsDir(runID), e.Name()))
		}
	}
}
