package targets

import (
	"strings"
	"testing"
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
		if got := CaughtUp(tc.pos, tc.target); got != tc.want {
			t.Errorf("CaughtUp(%q, %q) = %v", tc.pos, tc.target, got)
		}
	}
}

func TestRole(t *testing.T) {
	for _, tc := range []struct {
		topology string
		p        Probe
		role     string
		writable bool
	}{
		{galera, Probe{}, RoleDown, false},
		{galera, Probe{Reachable: true, ClusterStatus: "Primary", LocalState: "Synced"}, RoleGaleraSynced, true},
		{galera, Probe{Reachable: true, ClusterStatus: "Primary", LocalState: "Donor/Desynced"}, RoleGaleraOther, true},
		{galera, Probe{Reachable: true, ClusterStatus: "non-Primary", LocalState: "Initialized", ReadOnly: true}, RoleGaleraOther, false},
		{replication, Probe{Reachable: true}, RolePrimary, true},
		{replication, Probe{Reachable: true, ReadOnly: true}, RoleReplica, false},
	} {
		role, w := RoleOf(tc.topology, tc.p)
		if role != tc.role || w != tc.writable {
			t.Errorf("RoleOf(%s, %+v) = %s %v, want %s %v", tc.topology, tc.p, role, w, tc.role, tc.writable)
		}
	}
}

func TestUnhealthy(t *testing.T) {
	synced := func(node string, conf int64) Probe {
		return Probe{Node: node, Reachable: true, Writable: true, Role: RoleGaleraSynced,
			ClusterStatus: "Primary", LocalState: "Synced", ClusterSize: 2, ConfID: conf, StateUUID: "u"}
	}
	primary := Probe{Node: "n1", Reachable: true, Writable: true, GTIDBinlog: "0-1-5"}
	replica := func(pos string) Probe {
		return Probe{Node: "n2", Reachable: true, ReadOnly: true, IORunning: "Yes", SQLRunning: "Yes", GTIDCurrent: pos}
	}
	for _, tc := range []struct {
		name     string
		topology string
		probes   []Probe
		want     string // "" healthy, else substring
	}{
		{"galera ok", galera, []Probe{synced("n1", 3), synced("n2", 3)}, ""},
		{"galera views differ", galera, []Probe{synced("n1", 3), synced("n2", 4)}, "in view"},
		{"galera down", galera, []Probe{synced("n1", 3), {Node: "n2", Err: "refused"}}, "n2 unreachable"},
		{"replication ok", replication, []Probe{primary, replica("0-1-5")}, ""},
		{"replication behind", replication, []Probe{primary, replica("0-1-4")}, "n2 at"},
		{"no primary", replication, []Probe{replica("0-1-5")}, "no writable primary"},
		{"two primaries", replication, []Probe{primary, {Node: "n2", Reachable: true, Writable: true}}, "two writable"},
	} {
		got := Unhealthy(tc.topology, tc.probes)
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
