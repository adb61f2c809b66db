package library

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios"
)

func TestNamesAndGet(t *testing.T) {
	names := Names()
	for _, want := range []string{"galera-minority-partition", "replication-semisync-failover", "register-pause"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %s", names, want)
		}
	}
	if slices.Contains(names, "default") {
		t.Error("Names() lists the default alias")
	}
	for _, n := range names {
		if data, err := Get(n); err != nil || len(data) == 0 {
			t.Errorf("Get(%s): %d bytes, %v", n, len(data), err)
		}
	}
}

func TestDefaultAlias(t *testing.T) {
	a, err := Get("default")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Get(Aliases()["default"])
	if !bytes.Equal(a, b) || Aliases()["default"] != "galera-minority-partition" {
		t.Error("default is not galera-minority-partition")
	}
	src, data, err := Resolve("default")
	if err != nil || src != "library/galera-minority-partition.yaml" || !bytes.Equal(data, b) {
		t.Errorf("Resolve(default) = %q, %d bytes, %v", src, len(data), err)
	}
}

func TestResolve(t *testing.T) {
	if _, _, err := Resolve("no-such-scenario"); err == nil {
		t.Error("Resolve of an unknown name succeeded")
	}
	path := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(path, []byte("kind: Scenario\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, data, err := Resolve(path)
	if err != nil || src != path || string(data) != "kind: Scenario\n" {
		t.Errorf("Resolve(path) = %q, %q, %v", src, data, err)
	}
	if _, _, err := Resolve(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Resolve of a missing file succeeded")
	}
	// A bare name that is a file in the working directory is read from disk.
	t.Chdir(t.TempDir())
	if err := os.WriteFile("galera-zone-loss", []byte("local copy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, data, _ := Resolve("galera-zone-loss"); string(data) != "local copy" {
		t.Errorf("Resolve read %q, want the local file", data)
	}
}

// A bank scenario's own words say what its reads are: the description and
// header name locking reads exactly when the file sets lockingReads.
func TestBankScenariosSayWhatTheirReadsAre(t *testing.T) {
	for _, n := range Names() {
		data, _ := Get(n)
		s, err := scenarios.LoadBytes(n, data)
		if err != nil || s.Spec.Workload.Kind != scenarios.WorkloadBank {
			continue
		}
		desc := strings.ToLower(s.Metadata.Description)
		if s.Spec.Workload.LockingReads != strings.Contains(desc, "locking reads") || strings.Contains(desc, "plain reads") == s.Spec.Workload.LockingReads {
			t.Errorf("%s: lockingReads %v but the description says %q", n, s.Spec.Workload.LockingReads, s.Metadata.Description)
		}
		want := "Set lockingReads: " + map[bool]string{true: "false", false: "true"}[s.Spec.Workload.LockingReads]
		if strings.Contains(string(data), "Set lockingReads:") && !strings.Contains(string(data), want) {
			t.Errorf("%s: the header tells to set lockingReads to what the file already sets (want %q)", n, want)
		}
	}
}
