package scenarios

import (
	"strings"
	"testing"
)

// A podKill is an instant, like a promote: the StatefulSet replaces the
// pod at once, so a promote seconds later may select any pod, while one
// at the same instant still conflicts.
func TestPodKillIsAnInstant(t *testing.T) {
	target := strings.Replace(kubeTarget, "topology: galera", "topology: replication", 1)
	kill := "    - {at: 10s, select: {role: primary}, podKill: {}}\n"
	later := doc{target: target, faults: kill + "    - {at: 16s, select: {role: replicas, random: 1}, promote: {}}\n"}
	if errs := errorsOf(t, later.String()); errs != nil {
		t.Errorf("promote 6s after a podKill: %v", errs)
	}
	same := doc{target: target, faults: kill + "    - {at: 10s, select: {role: replicas, random: 1}, promote: {}}\n"}
	if errs := errorsOf(t, same.String()); len(errs) != 1 || !strings.Contains(errs[0].Error(), "overlaps step-1") {
		t.Errorf("promote at the podKill's instant: errors %v, want one overlap", errs)
	}
}
