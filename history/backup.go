package history

// BackupEvent is one backup the harness took while the workload ran: where
// it was taken, how long it took on the harness's clock, and the consistent
// point it holds as the server wrote it down (Galera's position or the
// binlog GTID, and InnoDB's LSN). A failed backup carries Err and no point.
type BackupEvent struct {
	ID    string `json:"id"`    // backup-1, backup-2, … in the order they started
	Node  string `json:"node"`  // the node it was taken from
	Tool  string `json:"tool"`  // mariadb-backup
	Every int64  `json:"every"` // the schedule's interval, ns
	Start int64  `json:"start"` // ns since run start, when the tool was started
	End   int64  `json:"end"`   // ns since run start, when it finished
	// GTID is the consistent point: uuid:seqno from mariadb_backup_galera_info
	// (Galera) or the binlog GTID from mariadb_backup_binlog_info.
	GTID      string `json:"gtid,omitempty"`
	BinlogPos string `json:"binlogPos,omitempty"` // file:position from the binlog info, when the node logs binlogs
	LSN       int64  `json:"lsn,omitempty"`       // InnoDB last_lsn copied (xtrabackup_checkpoints)
	Bytes     int64  `json:"bytes,omitempty"`     // size of the backup directory
	Dir       string `json:"dir,omitempty"`       // where it is kept
	Err       string `json:"err,omitempty"`       // why it failed
}

// Completed reports whether the backup finished and can be restored.
func (b *BackupEvent) Completed() bool { return b != nil && b.Err == "" && b.End > 0 }
