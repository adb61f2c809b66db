package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// restoreTimeout bounds a whole restore: prepare, copy back, bootstrap and
// every other node's join by state transfer.
const restoreTimeout = 100 * time.Second

// RestoreInfo is what a restore did and how long each phase took.
type RestoreInfo struct {
	Backup    string        `json:"backup"`           // the backup's id (backup-3)
	Nodes     []string      `json:"nodes"`            // the nodes it was restored onto (a rebuild: the bootstrapped one)
	Taken     string        `json:"taken"`            // the node the backup was taken from
	JoinBy    string        `json:"joinBy,omitempty"` // how the others joined a rebuilt cluster: sst or ist
	GTID      string        `json:"gtid,omitempty"`
	LSN       int64         `json:"lsn,omitempty"`
	Prepare   time.Duration `json:"prepare"`   // mariadb-backup --prepare
	CopyBack  time.Duration `json:"copyBack"`  // mariadb-backup --copy-back
	Bootstrap time.Duration `json:"bootstrap"` // until the restored node answers
	Join      time.Duration `json:"join"`      // until every other node is Synced
	// Relaunched: joiners whose server exited while joining and were
	// started once more, each with its last logged error
	Relaunched []string `json:"relaunched,omitempty"`
}

// Destroy loses nodes' data as a disaster would: each server killed and
// its data directory emptied. The nodes stay down until a restore.
func (l *Lab) Destroy(ctx context.Context, nodes []string) error {
	for _, node := range nodes {
		if err := l.StopNode(ctx, node, false); err != nil {
			return fmt.Errorf("destroy %s: %w", node, err)
		}
		if err := emptyDir(l.n.dataDir(node)); err != nil {
			return fmt.Errorf("destroy %s: %w", node, err)
		}
		l.logf("%s destroyed: server killed, data directory emptied", node)
	}
	return nil
}

// Destroyed says why node still has a server or data ("" when it has neither).
func (l *Lab) Destroyed(node string) string {
	if pid := l.pid(node); pid != 0 {
		return fmt.Sprintf("%s: mariadbd still running (pid %d)", node, pid)
	}
	if e, _ := os.ReadDir(l.n.dataDir(node)); len(e) > 0 {
		return fmt.Sprintf("%s: data directory holds %d entries", node, len(e))
	}
	return ""
}

// Restore restores the latest completed backup of run onto the nodes a
// disaster left without data. When every node lost its data (or none did)
// the cluster is rebuilt: every server stopped and emptied, the backup
// prepared and copied back onto the first node, which bootstraps a new
// Galera cluster, and the others join it empty, by state transfer. When
// some nodes survived, each destroyed node is seeded from the backup at its
// Galera position and rejoins the survivors (by IST while their gcache
// still holds the writes since). A replication lab is restored by GTID
// (restoreReplication). It returns once the cluster is healthy.
func (l *Lab) Restore(ctx context.Context, runID string, join string) (RestoreInfo, error) {
	if l.st.Topology != Galera && l.st.Topology != Replication {
		return RestoreInfo{}, fmt.Errorf("restore lab %s: topology %s; restore rebuilds Galera and replication labs", l.st.Name, l.st.Topology)
	}
	mu := l.drillLock()
	mu.Lock()
	defer mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, restoreTimeout)
	defer cancel()
	done := l.completedBackups(runID)
	if len(done) == 0 {
		return RestoreInfo{}, fmt.Errorf("restore lab %s: run %s has no completed backup", l.st.Name, runID)
	}
	m := done[0]
	ri := RestoreInfo{Backup: m.ID, Taken: m.Info.Node, GTID: m.Info.GTID, LSN: m.Info.LSN, JoinBy: join}
	var err error
	if l.st.Topology == Replication {
		err = l.restoreReplication(ctx, m, &ri)
	} else if fresh := l.destroyedNodes(); len(fresh) == 0 || len(fresh) == len(l.st.Nodes) {
		err = l.rebuild(ctx, m, join, &ri)
	} else {
		err = l.seed(ctx, m, fresh, &ri)
	}
	if err != nil {
		return ri, fmt.Errorf("restore lab %s from %s: %w", l.st.Name, m.ID, err)
	}
	return ri, nil
}

// Ways a rebuilt cluster's other nodes join the restored one.
const (
	JoinSST = "sst" // empty, by a full state transfer from the restored node
	JoinIST = "ist" // restored from the same backup, by IST of what the restored node wrote since
)

// rebuild restores the backup onto the first node and bootstraps the
// cluster from it; the others join it by state transfer, or, with JoinIST,
// are restored from the same backup at its Galera position first, so they
// need only the writes since (the bootstrapped node keeps its position).
func (l *Lab) rebuild(ctx context.Context, m manifest, join string, ri *RestoreInfo) error {
	nodes := l.nodeNames()
	ri.Nodes = nodes[:1]
	if err := l.Destroy(ctx, nodes); err != nil {
		return err
	}
	if err := l.restoreData(ctx, m.Info.Dir, nodes[0], ri); err != nil {
		return err
	}
	uuid, seqno, pos := galeraPosition(m.Info.GTID)
	if join == JoinIST && pos {
		ri.Nodes = nodes
		for _, node := range nodes[1:] {
			if err := l.restoreData(ctx, m.Info.Dir, node, ri); err != nil {
				return err
			}
			if err := l.writeGrastate(ctx, node, uuid, seqno, false); err != nil {
				return err
			}
		}
		if err := l.writeGrastate(ctx, nodes[0], uuid, seqno, true); err != nil {
			return err
		}
	}
	start := time.Now()
	if err := l.launch(nodes[0], "--wsrep-new-cluster"); err != nil {
		return err
	}
	if err := l.waitAnswering(ctx, nodes[0]); err != nil {
		return err
	}
	ri.Bootstrap = time.Since(start)
	return l.join(ctx, nodes[1:], ri)
}

// writeGrastate saves a Galera state in node's data directory, owned by mysql.
func (l *Lab) writeGrastate(ctx context.Context, node, uuid string, seqno int64, bootstrap bool) error {
	gs := filepath.Join(l.n.dataDir(node), "grastate.dat")
	if err := os.WriteFile(gs, []byte(grastate(uuid, seqno, bootstrap)), 0o660); err != nil {
		return err
	}
	_, err := run(ctx, "chown", "mysql:mysql", gs)
	return err
}

// seed restores the backup onto each destroyed node with the Galera state
// it was taken at, and starts it to rejoin the surviving nodes.
func (l *Lab) seed(ctx context.Context, m manifest, fresh []string, ri *RestoreInfo) error {
	ri.Nodes = fresh
	uuid, seqno, ok := galeraPosition(m.Info.GTID)
	for _, node := range fresh {
		if err := l.restoreData(ctx, m.Info.Dir, node, ri); err != nil {
			return err
		}
		if ok {
			if err := l.writeGrastate(ctx, node, uuid, seqno, false); err != nil {
				return err
			}
		}
	}
	return l.join(ctx, fresh, ri)
}

// join starts nodes into the running cluster and waits until it is
// healthy. A joiner whose server exits before then (seen: during the state
// transfer that follows a restore, on a loaded machine) is started once
// more, as an operator would; its last error is kept in ri.Relaunched.
func (l *Lab) join(ctx context.Context, nodes []string, ri *RestoreInfo) error {
	start := time.Now()
	for _, node := range nodes {
		l.waitEvicted(ctx, node) // its killed incarnation must leave the view first (galera#249)
		if err := l.launch(node); err != nil {
			return err
		}
	}
	for again := false; ; again = true {
		err := l.waitJoined(ctx, nodes)
		if err == nil {
			break
		}
		down := l.serverless(nodes)
		if again || len(down) == 0 {
			return err
		}
		for _, node := range down {
			why := l.lastError(node)
			l.logf("%s: its server exited while joining (%s); starting it once more", node, why)
			ri.Relaunched = append(ri.Relaunched, node+": "+why)
			l.waitEvicted(ctx, node)
			if err := l.launch(node); err != nil {
				return err
			}
		}
	}
	ri.Join = time.Since(start)
	return nil
}

// waitJoined is WaitHealthy, ended early when a joiner's server exits.
func (l *Lab) waitJoined(ctx context.Context, nodes []string) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
				if len(l.serverless(nodes)) > 0 {
					cancel()
					return
				}
			}
		}
	}()
	return l.WaitHealthy(wctx)
}

// serverless are the nodes of nodes with no server running.
func (l *Lab) serverless(nodes []string) []string {
	var out []string
	for _, node := range nodes {
		if l.pid(node) == 0 {
			out = append(out, node)
		}
	}
	return out
}

// restoreData prepares the backup (once; preparing again is a no-op) and
// copies it into node's data directory, owned by mysql.
func (l *Lab) restoreData(ctx context.Context, dir, node string, ri *RestoreInfo) error {
	start := time.Now()
	if _, err := run(ctx, ToolMariaBackup, "--prepare", "--target-dir="+dir); err != nil {
		return err
	}
	ri.Prepare += time.Since(start)
	start = time.Now()
	data := l.n.dataDir(node)
	if err := emptyDir(data); err != nil {
		return err
	}
	if _, err := run(ctx, ToolMariaBackup, "--copy-back", "--target-dir="+dir, "--datadir="+data); err != nil {
		return err
	}
	if _, err := run(ctx, "chown", "-R", "mysql:mysql", data); err != nil {
		return err
	}
	ri.CopyBack += time.Since(start)
	return nil
}

// destroyedNodes are the nodes with neither a server nor data.
func (l *Lab) destroyedNodes() []string {
	var out []string
	for _, node := range l.nodeNames() {
		if l.Destroyed(node) == "" {
			out = append(out, node)
		}
	}
	return out
}

// galeraPosition splits a Galera position uuid:seqno.
func galeraPosition(p string) (uuid string, seqno int64, ok bool) {
	i := strings.LastIndexByte(p, ':')
	if i != 36 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(p[i+1:], 10, 64)
	return p[:i], n, err == nil
}

func (l *Lab) nodeNames() []string {
	out := make([]string, len(l.st.Nodes))
	for i, ns := range l.st.Nodes {
		out[i] = ns.Name
	}
	return out
}

// emptyDir removes everything inside dir, keeping dir (and its owner).
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
