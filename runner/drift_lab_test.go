package runner_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/runner"
	"faultline.dev/faultline/scenarios/library"
	"faultline.dev/faultline/verify"
)

// tsOrder is the part of timestamp-order's evidence the tests read.
type tsOrder struct {
	Writes     int    `json:"writes"`
	Inversions int64  `json:"inversions"`
	Largest    string `json:"largest"`
	ByNode     []struct {
		Node           string
		Earlier, Later int64
	} `json:"byNode"`
}

// A 5000ppm drift on n2 under the ledger workload: NOW(6) stamps invert
// against the harness's order, every inversion with n2 on the earlier,
// too-late stamped side; nothing is lost and nothing splits.
func TestIntegrationClockDriftInvertsTimestamps(t *testing.T) {
	res := runLibrary(t, "galera-clock-drift", 3001)
	ev := timestampOrder(t, res, verify.Invalid)
	t.Logf("drift run: %d inversions among %d writes, largest %s, by node %+v; fault: %s",
		ev.Inversions, ev.Writes, ev.Largest, ev.ByNode, faultEffect(t, res))
	for _, n := range ev.ByNode {
		if n.Node == "n2" && n.Earlier != ev.Inversions || n.Node != "n2" && n.Earlier != 0 {
			t.Errorf("%s wrote the earlier side of %d of %d inversions; want all n2's", n.Node, n.Earlier, ev.Inversions)
		}
	}
	for _, c := range []string{verify.NameLostWrites, verify.NameSplitBrain} {
		if st := verdictOf(res, c); st != verify.Valid {
			t.Errorf("%s: %s, want valid (Galera orders by seqno, not by clocks)", c, st)
		}
	}
}

// The same run without the drift: the nodes share the host's clock, and
// no stamp contradicts the real-time order.
func TestIntegrationCleanRunNoTimestampInversions(t *testing.T) {
	_, src, err := library.Resolve("galera-clock-drift")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	clean := text[:strings.Index(text, "  faults:\n")] + text[strings.Index(text, "  verify:\n"):]
	res := runSource(t, "galera-clock-drift", []byte(clean), 3002)
	ev := timestampOrder(t, res, verify.Valid)
	t.Logf("clean run: %d inversions among %d writes", ev.Inversions, ev.Writes)
	if ev.Inversions != 0 || ev.Writes == 0 {
		t.Errorf("clean run: %d inversions among %d writes; want none among many", ev.Inversions, ev.Writes)
	}
}

func timestampOrder(t *testing.T, res *runner.Result, want verify.Status) tsOrder {
	t.Helper()
	for _, v := range res.Verdicts {
		if v.Check != verify.NameTimestampOrder {
			continue
		}
		if v.Status != want {
			t.Errorf("timestamp-order: %s (%s), want %s; report %s", v.Status, v.Summary, want, res.Dir)
		}
		var ev tsOrder
		if err := json.Unmarshal(v.Evidence, &ev); err != nil {
			t.Fatalf("timestamp-order evidence: %v", err)
		}
		return ev
	}
	t.Fatalf("no timestamp-order verdict; report %s", res.Dir)
	return tsOrder{}
}

// faultEffect is the summary of the run's verified fault effect.
func faultEffect(t *testing.T, res *runner.Result) string {
	t.Helper()
	f, err := os.Open(filepath.Join(res.Dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e history.Event
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Fault != nil && e.Fault.Phase == history.FaultEffect {
			return e.Fault.Summary
		}
	}
	t.Errorf("no verified fault effect in the history; report %s", res.Dir)
	return ""
}
