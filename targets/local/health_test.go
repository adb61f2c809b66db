package local

import (
	"strings"
	"testing"

	"faultline.dev/faultline/targets"
)

func TestCaughtUp(t *testing.T) {
	for _, tc := range []struct {
		pos, target string
		want        bool
	}{
		{"", "", true},
		{"0-1-5", "", true},
		{"0-1-5", "0-1-5", true},
		{"0-2-7", "0-1-5", true},
		{"0-1-4", "0-1-5", false},
		{"", "0-1-1", false},
		{"0-1-5,1-3-2", "0-1-5,1-3-3", false},
		{"1-3-3,0-1-9", "0-1-5,1-3-3", true},
	} {
		if got := caughtUp(tc.pos, tc.target); got != tc.want {
			t.Errorf("caughtUp(%q, %q) = %v", tc.pos, tc.target, got)
		}
	}
}

func TestRole(t *testing.T) {
	for _, tc := range []struct {
		topology string
		p        targets.Probe
		role     string
		writable bool
	}{
		{Galera, targets.Probe{}, targets.RoleDown, false},
		{Galera, targets.Probe{Reachable: true, ClusterStatus: "Primary", LocalState: "Synced"}, targets.RoleGaleraSynced, true},
		{Galera, targets.Probe{Reachable: true, ClusterStatus: "Primary", LocalState: "Donor/Desynced"}, targets.RoleGaleraOther, true},
		{Galera, targets.Probe{Reachable: true, ClusterStatus: "non-Primary", LocalState: "Initialized", ReadOnly: true}, targets.RoleGaleraOther, false},
		{Replication, targets.Probe{Reachable: true}, targets.RolePrimary, true},
		{Replication, targets.Probe{Reachable: true, ReadOnly: true}, targets.RoleReplica, false},
	} {
		role, w := role(tc.topology, tc.p)
		if role != tc.role || w != tc.writable {
			t.Errorf("role(%s, %+v) = %s %v, want %s %v", tc.topology, tc.p, role, w, tc.role, tc.writable)
		}
	}
}

func TestUnhealthy(t *testing.T) {
	synced := func(node string, conf int64) targets.Probe {
		return targets.Probe{Node: node, Reachable: true, Writable: true, Role: targets.RoleGaleraSynced,
			ClusterStatus: "Primary", LocalState: "Synced", ClusterSize: 2, ConfID: conf, StateUUID: "u"}
	}
	primary := targets.Probe{Node: "n1", Reachable: true, Writable: true, GTIDBinlog: "0-1-5"}
	replica := func(pos string) targets.Probe {
		return targets.Probe{Node: "n2", Reachable: true, ReadOnly: true, IORunning: "Yes", SQLRunning: "Yes", GTIDCurrent: pos}
	}
	for _, tc := range []struct {
		name     string
		topology string
		probes   []targets.Probe
		want     string // "" healthy, else substring
	}{
		{"galera ok", Galera, []targets.Probe{synced("n1", 3), synced("n2", 3)}, ""},
		{"galera views differ", Galera, []targets.Probe{synced("n1", 3), synced("n2", 4)}, "in view"},
		{"galera down", Galera, []targets.Probe{synced("n1", 3), {Node: "n2", Err: "refused"}}, "n2 unreachable"},
		{"replication ok", Replication, []targets.Probe{primary, replica("0-1-5")}, ""},
		{"replication behind", Replication, []targets.Probe{primary, replica("0-1-4")}, "n2 at"},
		{"no primary", Replication, []targets.Probe{replica("0-1-5")}, "no writable primary"},
		{"two primaries", Replication, []targets.Probe{primary, {Node: "n2", Reachable: true, Writable: true}}, "two writable"},
	} {
		got := unhealthy(tc.topology, tc.probes)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: unhealthy = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestConfID(t *testing.T) {
	for in, want := range map[string]int64{"3": 3, "18446744073709551615": -1, "": -1} {
		if got := confID(in); got != want {
			t.Errorf("confID(%q) = %d, want %d", in, got, want)
		}
	}
}
