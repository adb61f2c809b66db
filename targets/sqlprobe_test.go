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

func TestSettlingToleratesAReplicaOneWriteBehindUnderLoad(t *testing.T) {
	primary := func(pos string) Probe {
		return Probe{Node: "n1", Reachable: true, Writable: true, GTIDBinlog: pos}
	}
	replica := func(pos string) Probe {
		return Probe{Node: "n2", Reachable: true, ReadOnly: true, IORunning: "Yes", SQLRunning: "Yes", GTIDCurrent: pos}
	}
	var s Settling
	// First round: nothing earlier, so judged strictly.
	if got := s.Unhealthy(replication, []Probe{primary("0-1-3522"), replica("0-1-3521")}); !strings.Contains(got, "n2 at") {
		t.Fatalf("first round one behind: %q, want behind", got)
	}
	// Second round: the replica has passed where the primary was, though
	// the primary moved on again.
	if got := s.Unhealthy(replication, []Probe{primary("0-1-3530"), replica("0-1-3529")}); got != "" {
		t.Fatalf("second round: %q, want healthy", got)
	}
	// A replica that stopped applying is still caught.
	if got := s.Unhealthy(replication, []Probe{primary("0-1-3540"), replica("0-1-3529")}); !strings.Contains(got, "n2 at") {
		t.Fatalf("stalled replica: %q, want behind", got)
	}
	// A new primary is judged against its own position, not the old one's.
	s = Settling{}
	s.Unhealthy(replication, []Probe{primary("0-1-9")})
	other := Probe{Node: "n3", Reachable: true, Writable: true, GTIDBinlog: "0-3-2"}
	if got := s.Unhealthy(replication, []Probe{other, replica("0-3-1")}); !strings.Contains(got, "n2 at") {
		t.Fatalf("new primary: %q, want behind", got)
	}
	if got := s.Unhealthy(replication, []Probe{primary("0-1-9"), {Node: "n2", Err: "refused"}}); !strings.Contains(got, "unreachable") {
		t.Fatalf("down replica: %q", got)
	}
}

func TestConfID(t *testing.T) {
	for in, want := range map[string]int64{"3": 3, "18446744073709551615": -1, "": -1} {
		if got := confID(in); got != want {
			t.Errorf("confID(%q) = %d, want %d", in, got, want)
		}
	}
}
