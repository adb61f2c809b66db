package local

import (
	"os"
	"path/filepath"
	"testing"

	"faultline.dev/faultline/targets"
)

// The consistent point is read from the files mariadb-backup writes, as
// 10.11 writes them (xtrabackup_* names) and as newer servers do.
func TestReadBackupInfo(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  targets.BackupInfo
	}{
		"galera, 10.11 names": {map[string]string{
			"xtrabackup_checkpoints": "backup_type = full-backuped\nfrom_lsn = 0\nto_lsn = 50297\nlast_lsn = 56358\nrecover_binlog_info = 0\n",
			"xtrabackup_galera_info": "c632b5b5-bd57-40b5-9fd5-bb25f08ff64e:4 0\n",
		}, targets.BackupInfo{LSN: 56358, GTID: "c632b5b5-bd57-40b5-9fd5-bb25f08ff64e:4"}},
		"binlog GTID wins, position kept": {map[string]string{
			"xtrabackup_checkpoints":     "to_lsn = 900\n",
			"mariadb_backup_galera_info": "c632b5b5-bd57-40b5-9fd5-bb25f08ff64e:4\n",
			"mariadb_backup_binlog_info": "mariadb-bin.000003\t1234\t0-1-77\n",
		}, targets.BackupInfo{LSN: 900, GTID: "0-1-77", BinlogPos: "mariadb-bin.000003:1234"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, s := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(s), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readBackupInfo(dir, targets.BackupInfo{})
			got.Bytes = 0
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := readBackupInfo(t.TempDir(), targets.BackupInfo{}); err == nil {
		t.Error("a directory without xtrabackup_checkpoints read as a backup")
	}
}

func TestGaleraPosition(t *testing.T) {
	if u, n, ok := galeraPosition("c632b5b5-bd57-40b5-9fd5-bb25f08ff64e:2574"); !ok || u != "c632b5b5-bd57-40b5-9fd5-bb25f08ff64e" || n != 2574 {
		t.Errorf("got %s %d %v", u, n, ok)
	}
	for _, bad := range []string{"", "0-1-77", "uuid:12"} {
		if _, _, ok := galeraPosition(bad); ok {
			t.Errorf("%q parsed as a Galera position", bad)
		}
	}
}
