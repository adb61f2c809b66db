package targets

import "context"

// Backuper is a target that can take a physical backup of one of its nodes
// (the local lab, with mariadb-backup). The runner takes a scenario's
// scheduled backups through it and records each in the history; a restore
// step finds the latest one that completed.
type Backuper interface {
	Backup(ctx context.Context, req BackupRequest) (BackupInfo, error)
}

// BackupRequest names one backup of a run.
type BackupRequest struct {
	RunID string
	ID    string // backup-1, backup-2, …: the backup's name in the history
	Seq   int    // 1, 2, …: later backups have higher numbers
	Node  string // "" = a node the target chooses (one that serves writes)
	Tool  string // mariadb-backup
}

// BackupInfo is what a completed backup holds: its consistent point as
// the server recorded it, and where it is kept.
type BackupInfo struct {
	Node      string
	Dir       string
	GTID      string // Galera uuid:seqno, or the binlog GTID
	BinlogPos string // binlog file:position, when the node logs binlogs
	LSN       int64  // InnoDB's last copied LSN
	Bytes     int64
}
