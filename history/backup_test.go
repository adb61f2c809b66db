package history

import (
	"reflect"
	"testing"
)

func TestBackupEventRoundTrip(t *testing.T) {
	e := Event{Index: 7, Time: 24_473_557_879, Process: ProcessBackup, Type: Backup, F: "backup", Node: "n1",
		Backup: &BackupEvent{ID: "backup-3", Node: "n1", Tool: "mariadb-backup", Every: 10e9, Start: 22e9, End: 24_473_557_879,
			GTID: "60d8c71a-2649-4d17-924b-17cfeffdfb61:2574", LSN: 969747, Bytes: 18905165, Dir: "/x/backup-3"}}
	line, err := appendEvent(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeLine(t, line); !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip\n got %+v (backup %+v)\nwant %+v\nline %s", got, got.Backup, e, line)
	}
	if !e.Backup.Completed() || (&BackupEvent{ID: "b", End: 1, Err: "exit 1"}).Completed() {
		t.Error("Completed: want true for a finished backup, false for a failed one")
	}
}
