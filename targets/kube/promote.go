package kube

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"faultline.dev/faultline/targets"
)

// RoleLabel is the pod label of a replication StatefulSet that its primary
// and replica Services select (kind/manifests/replication): the pods hold
// no API token, so whoever promotes sets it.
const RoleLabel = "faultline.dev/role"

// Waits of a promotion: for a fenced primary's last writes to reach the
// chosen replica, and for that replica to apply its relay log.
const (
	fenceWait = 10 * time.Second
	relayWait = 30 * time.Second
	// adminTimeout bounds one statement of a promotion (MASTER_GTID_WAIT
	// included); reachWait the first question to each pod.
	adminTimeout = fenceWait + 5*time.Second
	reachWait    = 3 * time.Second
)

var _ targets.Promoter = (*Cluster)(nil)

// Promote makes pod the writable primary of a replication StatefulSet the
// way an operator does:
//  1. every other reachable writable pod is made read-only (a switchover:
//     its last writes are then awaited on pod, up to fenceWait);
//  2. on pod: STOP SLAVE IO_THREAD, wait until the SQL thread applied the
//     relay log (up to relayWait), STOP SLAVE, RESET SLAVE ALL, read_only=0;
//  3. every other reachable pod replicates from it (GTID slave_pos; one
//     that replicated from nobody, a former primary, first sets
//     gtid_slave_pos to its binlog position);
//  4. the role labels: pod primary, the others replica.
//
// It fails only if pod itself could not be promoted; what happened to the
// others is logged.
func (c *Cluster) Promote(ctx context.Context, pod string) error {
	if c.Topology() != "replication" {
		return fmt.Errorf("promote %s on %s: topology is %s, not replication", pod, c.Name(), c.Topology())
	}
	host, err := c.replicationHost(ctx, pod)
	if err != nil {
		return fmt.Errorf("promote %s on %s: %w", pod, c.Name(), err)
	}
	target, err := c.adminDB(pod)
	if err != nil {
		return fmt.Errorf("promote %s on %s: %w", pod, c.Name(), err)
	}
	defer target.Close()
	start := time.Now()
	others := c.fence(ctx, pod, target)
	if err := promoteOne(ctx, target); err != nil {
		return fmt.Errorf("promote %s on %s: %w", pod, c.Name(), err)
	}
	c.cfg.Logf("promote %s: writable %s after the promote began", pod, time.Since(start).Round(time.Millisecond))
	for name, db := range others {
		c.cfg.Logf("promote %s: %s: %s", pod, name, targets.Outcome("replicates from "+host, repoint(ctx, db, c.changeMaster(host))))
		db.Close()
	}
	return c.LabelRoles(ctx)
}

// fence opens every other reachable pod, makes the writable ones
// read-only and waits for their last writes on target; it returns the
// pods it opened.
func (c *Cluster) fence(ctx context.Context, pod string, target *sql.DB) map[string]*sql.DB {
	others := map[string]*sql.DB{}
	for _, n := range c.Nodes() {
		if n.Name == pod {
			continue
		}
		db, err := c.adminDB(n.Name)
		var ro int
		if err == nil {
			rctx, cancel := context.WithTimeout(ctx, reachWait)
			err = db.QueryRowContext(rctx, "SELECT @@global.read_only").Scan(&ro)
			cancel()
		}
		if err != nil {
			c.cfg.Logf("promote %s: %s unreachable, left alone: %v", pod, n.Name, err)
			if db != nil {
				db.Close()
			}
			continue
		}
		others[n.Name] = db
		if ro == 0 {
			c.cfg.Logf("promote %s: %s: %s", pod, n.Name, targets.Outcome("fenced (read_only=1)", fenceOne(ctx, db, target)))
		}
	}
	return others
}

// fenceOne makes a writable pod read-only and waits, up to fenceWait, until
// target applied everything it had logged.
func fenceOne(ctx context.Context, old, target *sql.DB) error {
	var pos string
	if _, err := old.ExecContext(ctx, "SET GLOBAL read_only=1"); err != nil {
		return err
	}
	if err := old.QueryRowContext(ctx, "SELECT @@global.gtid_binlog_pos").Scan(&pos); err != nil {
		return err
	}
	var res sql.NullInt64
	err := target.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, ?)", pos, fenceWait.Seconds()).Scan(&res)
	if err == nil && res.Int64 != 0 {
		err = fmt.Errorf("%s not applied within %s", pos, fenceWait)
	}
	return err
}

// promoteOne stops replication on db once its relay log is applied and
// makes it writable.
func promoteOne(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "STOP SLAVE IO_THREAD"); err != nil {
		return err
	}
	if err := waitRelayApplied(ctx, db); err != nil {
		return err
	}
	for _, q := range []string{"STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only=0"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// waitRelayApplied waits until the SQL thread executed everything the IO
// thread read (or stopped, or no replication is configured).
func waitRelayApplied(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(relayWait)
	for {
		st, err := targets.SlaveStatus(ctx, db)
		if err != nil {
			return fmt.Errorf("slave status: %w", err)
		}
		if len(st) == 0 || st["Slave_SQL_Running"] != "Yes" ||
			(st["Master_Log_File"] == st["Relay_Master_Log_File"] && st["Read_Master_Log_Pos"] == st["Exec_Master_Log_Pos"]) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("relay log not applied within %s (read %s:%s, executed %s:%s)", relayWait,
				st["Master_Log_File"], st["Read_Master_Log_Pos"], st["Relay_Master_Log_File"], st["Exec_Master_Log_Pos"])
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// repoint makes db replicate with change (a CHANGE MASTER statement).
func repoint(ctx context.Context, db *sql.DB, change string) error {
	st, err := targets.SlaveStatus(ctx, db)
	if err != nil {
		return fmt.Errorf("slave status: %w", err)
	}
	qs := []string{"SET GLOBAL read_only=1", "STOP SLAVE"}
	if st["Master_Host"] == "" {
		qs = append(qs, "SET GLOBAL gtid_slave_pos = @@global.gtid_binlog_pos")
	}
	for _, q := range append(qs, change, "START SLAVE") {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", strings.Fields(q)[0]+" "+strings.Fields(q)[1], err)
		}
	}
	return nil
}

// changeMaster is the CHANGE MASTER statement toward host, with the
// credentials faultline attached with (the manifests' replication user).
func (c *Cluster) changeMaster(host string) string {
	return fmt.Sprintf("CHANGE MASTER TO master_host=%s, master_port=%d, master_user=%s, master_password=%s, "+
		"master_use_gtid=slave_pos, master_connect_retry=1, master_heartbeat_period=1",
		targets.SQLString(host), c.cfg.Port, targets.SQLString(c.user), targets.SQLString(c.password))
}

// replicationHost is the name the other pods reach pod by: pod.SERVICE,
// the StatefulSet's headless Service (the name start.sh uses too).
func (c *Cluster) replicationHost(ctx context.Context, pod string) (string, error) {
	if c.cfg.StatefulSet == "" {
		return "", errors.New("promote needs a statefulSet (its headless Service names the pods)")
	}
	sts, err := c.statefulSet(ctx)
	if err != nil {
		return "", err
	}
	return pod + "." + sts.Spec.ServiceName, nil
}

// adminDB opens pod as root (the secret's root-password) when the secret
// has one, else as the attached user.
func (c *Cluster) adminDB(pod string) (*sql.DB, error) {
	for _, n := range c.Nodes() {
		if n.Name == pod {
			if c.rootPass != "" {
				n.User, n.Password = "root", c.rootPass
			}
			return n.OpenDB("", adminTimeout)
		}
	}
	return nil, fmt.Errorf("no pod %q", pod)
}
