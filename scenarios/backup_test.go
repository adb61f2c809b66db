package scenarios

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// drillKinds spell disaster and restore as the local provider registers them.
var drillKinds = []KindSpec{
	Spell[Empty](KindSpec{Name: FaultDisaster, Selects: true}, nil),
	Spell[drillRestore](KindSpec{Name: FaultRestore}, nil),
}

// drillRestore is the restore kind's one field, as the local provider spells it.
type drillRestore struct {
	Join string `json:"join,omitempty" yaml:"join,omitempty"`
}

const (
	drillSchedule = "  backup: {every: 10s, at: 2s}\n"
	drillSteps    = "  faults:\n    - {at: 20s, disaster: {}}\n    - {at: 22s, restore: {}}\n"
)

// drillDoc is a valid drill with parts replaced: a backup section, a
// faults section, and the target.
func drillDoc(backup, faults, target string) string {
	d := doc{target: target}.String()
	return d + backup + faults
}

func drillErrors(t *testing.T, text string) ErrorList {
	t.Helper()
	_, err := LoadWith("t.yaml", []byte(text), drillKinds)
	if err == nil {
		return nil
	}
	var l ErrorList
	if !errors.As(err, &l) {
		t.Fatalf("error is %T, want ErrorList: %v", err, err)
	}
	return l
}

func TestBackupDrillValidates(t *testing.T) {
	s, err := LoadWith("t.yaml", []byte(drillDoc(drillSchedule, drillSteps, "")), drillKinds)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(s.Spec.Verify.Checks, CheckRestore) {
		t.Errorf("default checks %v lack %s with a restore step", s.Spec.Verify.Checks, CheckRestore)
	}
	want := []time.Duration{2 * time.Second, 12 * time.Second, 22 * time.Second, 32 * time.Second, 42 * time.Second, 52 * time.Second}
	if got := s.Spec.Backup.Times(s.Spec.Workload.Duration.D()); !slices.Equal(got, want) {
		t.Errorf("backup times %v, want %v", got, want)
	}
	plain, err := LoadBytes("t.yaml", []byte(doc{}.String()))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(plain.Spec.Verify.Checks, CheckRestore) {
		t.Errorf("default checks %v hold %s without a restore step", plain.Spec.Verify.Checks, CheckRestore)
	}
}

// TestBackupDrillRejections: each case breaks one drill rule and gets one
// error on the named field, at its file:line:col.
func TestBackupDrillRejections(t *testing.T) {
	cases := []struct {
		name, text, path, contains string
		line, col                  int
	}{
		{"zero interval", drillDoc("  backup: {every: 0s}\n", drillSteps, ""), "spec.backup.every", "expected a duration > 0", 13, 19},
		{"negative interval", drillDoc("  backup: {every: -5s}\n", drillSteps, ""), "spec.backup.every", "expected a duration > 0", 13, 19},
		{"first backup after the end", drillDoc("  backup: {every: 10s, at: 60s}\n", "", ""), "spec.backup.at", "no backup is ever taken", 13, 28},
		{"unknown node", drillDoc("  backup: {every: 10s, node: n7}\n", drillSteps, ""), "spec.backup.node", "unknown node", 13, 30},
		{"tool", drillDoc("  backup: {every: 10s, tool: xtrabackup}\n", drillSteps, ""), "spec.backup.tool", "mariadb-backup", 13, 30},
		{"restore without a schedule", drillDoc("", drillSteps, ""), "spec.faults[1].restore", "without a backup schedule", 15, 26},
		{"restore without a disaster", drillDoc(drillSchedule, "  faults:\n    - {at: 22s, restore: {}}\n", ""), "spec.faults[0].at", "no disaster before it", 15, 12},
		{"restore before any backup can exist",
			drillDoc("  backup: {every: 10s, at: 30s}\n", drillSteps, ""), "spec.faults[1].at", "no backup can exist", 16, 12},
		{"disaster without a restore", drillDoc(drillSchedule, "  faults:\n    - {at: 20s, disaster: {}}\n", ""), "spec.faults[0].disaster", "no restore follows", 15, 27},
		{"disaster of every node by name, restore before it",
			drillDoc(drillSchedule, "  faults:\n    - {at: 22s, restore: {}}\n    - {at: 30s, select: {nodes: [n1, n2, n3]}, disaster: {}}\n", ""),
			"", "", 0, 0}, // two errors: checked below
		{"replication: disaster of the primary and not the rest",
			drillDoc(drillSchedule, "  faults:\n    - {at: 20s, select: {nodes: [n1]}, disaster: {}}\n    - {at: 22s, restore: {}}\n", replTarget),
			"spec.faults[0].select", "may destroy the primary", 15, 25},
		{"replication: disaster of role primary",
			drillDoc(drillSchedule, "  faults:\n    - {at: 20s, select: {role: primary}, disaster: {}}\n    - {at: 22s, restore: {}}\n", replTarget),
			"spec.faults[0].select", "re-seeds replicas only", 15, 25},
		{"replication: a replica named after a promotion",
			drillDoc(drillSchedule, "  faults:\n    - {at: 10s, select: {nodes: [n2]}, promote: {}}\n    - {at: 20s, select: {nodes: [n3]}, disaster: {}}\n    - {at: 22s, restore: {}}\n", replTarget),
			"spec.faults[1].select", "no promote before it", 16, 25},
		{"replication: join",
			drillDoc(drillSchedule, "  faults:\n    - {at: 20s, disaster: {}}\n    - {at: 22s, restore: {join: ist}}\n", replTarget),
			"spec.faults[1].restore.join", "by GTID", 16, 33},
		{"healed restore", drillDoc(drillSchedule, "  faults:\n    - {at: 20s, disaster: {}}\n    - {at: 22s, for: 5s, restore: {}}\n", ""), "spec.faults[1].for", "cannot be healed", 16, 22},
		{"schedule on kubernetes", drillDoc(drillSchedule, "", kubeTarget), "spec.backup", "local lab", 14, 11},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := drillErrors(t, tc.text)
			if tc.path == "" {
				if len(errs) != 2 || !strings.Contains(errs.Error(), "no disaster before it") || !strings.Contains(errs.Error(), "no restore follows") {
					t.Fatalf("errors %v; want a restore without a disaster and a disaster without a restore", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1 on %s:\n%v\n--- document:\n%s", len(errs), tc.path, errs, tc.text)
			}
			e := errs[0]
			if e.Path != tc.path || !strings.Contains(e.Msg, tc.contains) || e.File != "t.yaml" || e.Line != tc.line || e.Column != tc.col {
				t.Errorf("got %v (line %d col %d)\nwant t.yaml:%d:%d %s: …%s…\n--- document:\n%s", e, e.Line, e.Column, tc.line, tc.col, tc.path, tc.contains, tc.text)
			}
		})
	}
}

func TestBackupDrillPartialDisasterNeedsNoRestore(t *testing.T) {
	text := drillDoc(drillSchedule, "  faults:\n    - {at: 20s, select: {nodes: [n2]}, disaster: {}}\n", "")
	if errs := drillErrors(t, text); errs != nil {
		t.Fatalf("one node's disaster without a restore: %v", errs)
	}
}

// TestBackupDrillReplication: on a replication lab a restore follows a
// disaster of every node or of replicas only.
func TestBackupDrillReplication(t *testing.T) {
	for _, sel := range []string{"", "select: {role: replicas}, ", "select: {nodes: [n2, n3]}, ", "select: {random: 1, role: replicas}, "} {
		text := drillDoc(drillSchedule, "  faults:\n    - {at: 20s, "+sel+"disaster: {}}\n    - {at: 22s, restore: {}}\n", replTarget)
		if errs := drillErrors(t, text); errs != nil {
			t.Errorf("disaster %q then restore on replication: %v", sel, errs)
		}
	}
}
