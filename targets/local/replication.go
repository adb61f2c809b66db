package local

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"faultline.dev/faultline/targets"
)

// changeMaster points a replica at source by GTID.
func (l *Lab) changeMaster(source string) (string, error) {
	ns, err := l.node(source)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("CHANGE MASTER TO master_host=%s, master_port=%d, master_user=%s, master_password=%s, "+
		"master_use_gtid=slave_pos, master_connect_retry=1, master_heartbeat_period=1",
		sqlString(ns.Addr), sqlPort, sqlString(replUser), sqlString(l.st.Password)), nil
}

// wireReplication makes the recorded primary writable and every other node
// replicate from it.
func (l *Lab) wireReplication(ctx context.Context) error {
	primary := l.Primary()
	change, err := l.changeMaster(primary)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, ns := range l.st.Nodes {
		g.Go(func() error {
			if ns.Name == primary {
				return l.exec(gctx, ns.Name, "SET GLOBAL read_only=0")
			}
			return l.exec(gctx, ns.Name, change, "START SLAVE")
		})
	}
	return g.Wait()
}

// Promote makes node the writable primary the way an operator does: on the
// new primary STOP SLAVE, RESET SLAVE ALL, read_only=0; every other reachable
// replica is re-pointed at it; the old primary, if reachable, is only made
// read-only (not re-pointed). Every action, and every failure, is recorded
// in lab.json. It fails only if node itself could not be promoted.
func (l *Lab) Promote(ctx context.Context, node string) error {
	if l.st.Topology != Replication {
		return fmt.Errorf("promote %s: lab %s is %s, not replication", node, l.st.Name, l.st.Topology)
	}
	if _, err := l.node(node); err != nil {
		return err
	}
	old := l.Primary()
	pr := Promotion{Time: time.Now().UTC(), Node: node, From: old, Actions: map[string]string{}}
	err := l.exec(ctx, node, "STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only=0")
	if err != nil {
		pr.Actions[node] = "promote failed: " + err.Error()
		return errors.Join(fmt.Errorf("promote %s: %w", node, err), l.record(pr, ""))
	}
	pr.Actions[node] = "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0"
	change, err := l.changeMaster(node)
	if err != nil {
		return err
	}
	for _, ns := range l.st.Nodes {
		switch ns.Name {
		case node:
		case old:
			pr.Actions[ns.Name] = outcome("SET GLOBAL read_only=1", l.exec(ctx, ns.Name, "SET GLOBAL read_only=1"))
		default:
			pr.Actions[ns.Name] = outcome("STOP SLAVE; CHANGE MASTER TO "+node+"; START SLAVE",
				l.exec(ctx, ns.Name, "STOP SLAVE", change, "START SLAVE"))
		}
	}
	for n, a := range pr.Actions {
		l.logf("promote %s: %s: %s", node, n, a)
	}
	return l.record(pr, node)
}

func outcome(what string, err error) string { return targets.Outcome(what, err) }

// record appends a promotion to lab.json and, if primary is set, records it.
func (l *Lab) record(pr Promotion, primary string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.st.Promotions = append(l.st.Promotions, pr)
	if primary != "" {
		l.st.Primary = primary
	}
	return l.save()
}

// Repoint makes node (typically a demoted old primary) replicate from the
// current primary, as an operator does once it is judged safe. It is not part
// of Promote because operators often cannot do it.
func (l *Lab) Repoint(ctx context.Context, node string) error {
	change, err := l.changeMaster(l.Primary())
	if err != nil {
		return err
	}
	if err := l.exec(ctx, node, "SET GLOBAL read_only=1", "STOP SLAVE", change, "START SLAVE"); err != nil {
		return fmt.Errorf("repoint %s: %w", node, err)
	}
	return nil
}
