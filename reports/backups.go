package reports

import (
	"fmt"
	"time"

	"faultline.dev/faultline/history"
)

// BackupMark is one backup the harness took (spec.backup): drawn on the
// lane of the node it was taken from and listed with its consistent point.
type BackupMark struct {
	history.BackupEvent
}

// Duration is how long the backup took.
func (b BackupMark) Duration() string {
	return time.Duration(b.End - b.Start).Round(time.Millisecond).String()
}

// backupBars draws each backup taken from node as a bar across its lane,
// from the tool's start to its end.
func (s *svg) backupBars(f frame, bs []BackupMark, node string, y float64) {
	for _, b := range bs {
		if b.Node != node {
			continue
		}
		title := fmt.Sprintf("%s %s → %s (%s) %s lsn %d", b.ID, fmtAt(b.Start), fmtAt(b.End), b.Duration(), b.GTID, b.LSN)
		fill := "#1c9aa8"
		if b.Err != "" {
			title, fill = fmt.Sprintf("%s %s failed: %s", b.ID, fmtAt(b.Start), b.Err), "#c94040"
		}
		x0, x1 := f.x(b.Start), f.x(b.End)
		s.rect("backup", x0, y+laneH-5, x1-x0, 5, fill, title)
	}
}
