package local

import (
	"slices"
	"testing"
)

// A re-seeded replica forgets the backup node's replication and binlog
// before it takes the backup's GTID, and follows the primary only then.
func TestReseedStatements(t *testing.T) {
	got := reseedStatements("0-1-2044", "CHANGE MASTER TO master_host='198.18.0.11'")
	want := []string{"STOP SLAVE", "RESET SLAVE ALL", "RESET MASTER", "SET GLOBAL read_only=1",
		"SET GLOBAL gtid_slave_pos='0-1-2044'", "CHANGE MASTER TO master_host='198.18.0.11'", "START SLAVE"}
	if !slices.Equal(got, want) {
		t.Errorf("reseed statements\n got %q\nwant %q", got, want)
	}
}
