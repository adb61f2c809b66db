package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
)

// What the control plane reported about pods and nodes is listed in the
// report and the summary and marked on the pod's swimlane.
func TestClusterEventsAreShown(t *testing.T) {
	dir := copyRun(t, testdataRun)
	f, err := os.OpenFile(filepath.Join(dir, history.FileHistory), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	for _, e := range []history.Event{
		{Index: 1 << 40, Time: 21 * sec, Process: history.ProcessCluster, Type: history.Cluster, Node: "n2",
			Cluster: &history.ClusterEvent{Object: "pod/n2", Reason: "Pending", Host: "",
				Message: "Unschedulable: 0/4 nodes are available: 1 node(s) had volume node affinity conflict"}},
		{Index: 1<<40 + 1, Time: 22 * sec, Process: history.ProcessCluster, Type: history.Cluster,
			Cluster: &history.ClusterEvent{Object: "node/kind-worker2", Reason: "Cordoned", Host: "kind-worker2", Message: "r1/b"}},
	} {
		b, _ := json.Marshal(e)
		_, err := f.Write(append(b, '\n'))
		must(t, err)
	}
	must(t, f.Close())
	must(t, RenderAll(dir))
	page := readFile(t, dir, history.FileReport)
	for _, want := range []string{"<h2>Cluster events</h2>", "<td>pod/n2</td><td>Pending</td>", "volume node affinity conflict",
		"<td>node/kind-worker2</td><td>Cordoned</td>", `class="cluster-event"`} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Count(page, `class="cluster-event"`) != 1 {
		t.Errorf("want one tick (on n2's lane; a Kubernetes node has no lane), got %d", strings.Count(page, `class="cluster-event"`))
	}
	md := readFile(t, dir, history.FileSummary)
	if !strings.Contains(md, "### Cluster events") || !strings.Contains(md, "| 21.0s | pod/n2 | Pending |") {
		t.Errorf("summary.md lacks the cluster events:\n%s", md)
	}
}
