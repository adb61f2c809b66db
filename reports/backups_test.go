package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
)

// Each backup the harness took is drawn on its node's lane and listed with
// its consistent point; a failed one is listed with its error.
func TestBackupsAreShown(t *testing.T) {
	dir := copyRun(t, testdataRun)
	f, err := os.OpenFile(filepath.Join(dir, history.FileHistory), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	for i, b := range []history.BackupEvent{
		{ID: "backup-1", Node: "n1", Tool: "mariadb-backup", Every: 10 * sec, Start: 2 * sec, End: 4 * sec,
			GTID: "74d54740-52e8-4485-b5db-4ba94a30e834:924", LSN: 422753, Bytes: 18 << 20},
		{ID: "backup-2", Node: "n1", Tool: "mariadb-backup", Every: 10 * sec, Start: 12 * sec, End: 12 * sec, Err: "a restore is in progress"},
	} {
		e := history.Event{Index: 1<<40 + int64(i), Time: b.End, Process: history.ProcessBackup, Type: history.Backup, Node: b.Node, Backup: &b}
		line, _ := json.Marshal(e)
		_, err := f.Write(append(line, '\n'))
		must(t, err)
	}
	must(t, f.Close())
	must(t, RenderAll(dir))
	page := readFile(t, dir, history.FileReport)
	for _, want := range []string{"<h2>Backups</h2>", "<td>backup-1</td><td>n1</td>", "<code>74d54740-52e8-4485-b5db-4ba94a30e834:924</code>",
		"<td class=\"num\">2s</td>", "a restore is in progress"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(page, `class="backup"`); n != 2 {
		t.Errorf("want both backups drawn on n1's lane, got %d bars", n)
	}
}
