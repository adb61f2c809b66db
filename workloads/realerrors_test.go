package workloads

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/workloads/internal/testdb"
)

// Errors produced by a real server land where the table says.
func TestIntegrationRealServerErrors(t *testing.T) {
	skipShort(t)
	srv := testdb.Start(t)
	setupOn(t, mustNew(t, scenarios.Workload{Kind: "ledger"}, 1), srv.Node)
	ctx := t.Context()
	dial := func() *Session {
		s, err := Dial(ctx, srv.Node, Database, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	insert := "INSERT INTO ledger (v) VALUES (?)"

	t.Run("duplicate is fail, for the ledger info", func(t *testing.T) {
		s := dial()
		if _, err := s.ExecAutocommit(ctx, insert, 1); err != nil {
			t.Fatal(err)
		}
		_, err := s.ExecAutocommit(ctx, insert, 1)
		wantType(t, err, ErrDuplicate, history.Fail)
		if got := outcome(ledgerOutcome(err), false); got != history.Info {
			t.Errorf("ledger duplicate recorded as %s", got)
		}
	})
	t.Run("lock wait timeout is fail", func(t *testing.T) {
		holder, waiter := dial(), dial()
		must(t, holder.Begin(ctx))
		_, err := holder.Exec(ctx, insert, 2)
		must(t, err)
		_, err = waiter.ExecAutocommit(ctx, "SET SESSION innodb_lock_wait_timeout = 1")
		must(t, err)
		_, err = waiter.ExecAutocommit(ctx, insert, 2)
		wantType(t, err, ErrLockWaitTimeout, history.Fail)
		must(t, holder.Rollback(ctx))
	})
	t.Run("operation timeout: fail in a transaction, info at commit", func(t *testing.T) {
		s := dial()
		must(t, s.Begin(ctx))
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := s.Exec(short, "SELECT SLEEP(3)")
		wantType(t, err, 0, history.Fail)
		if !IsDeadline(err) || !s.Broken() {
			t.Errorf("timeout %v: deadline %v, broken %v", err, IsDeadline(err), s.Broken())
		}
		s2 := dial()
		short2, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel2()
		_, err = s2.ExecAutocommit(short2, "INSERT INTO ledger (v) SELECT 3 FROM DUAL WHERE SLEEP(3) = 0")
		wantType(t, err, 0, history.Info)
	})
	t.Run("connection killed at commit is info, then nothing is sent", func(t *testing.T) {
		victim, killer := dial(), dial()
		var id int64
		must(t, victim.Query(ctx, func(r *sql.Rows) error { return r.Scan(&id) }, "SELECT CONNECTION_ID()"))
		go func() {
			time.Sleep(300 * time.Millisecond)
			killer.ExecAutocommit(ctx, "KILL CONNECTION ?", id)
		}()
		_, err := victim.ExecAutocommit(ctx, "INSERT INTO ledger (v) SELECT 4 FROM DUAL WHERE SLEEP(3) = 0")
		t.Logf("killed mid-statement: %v", err)
		if got := outcome(err, false); got != history.Info {
			t.Errorf("killed during an autocommit write: %v recorded as %s", err, got)
		}
		if !victim.Broken() && !ConnLost(err) {
			t.Errorf("connection not marked lost after %v", err)
		}
		_, err = victim.ExecAutocommit(ctx, insert, 5)
		t.Logf("next statement: %v", err)
		if got := outcome(err, false); got != history.Fail {
			t.Errorf("write on the dead connection: %v recorded as %s, want fail (nothing sent)", err, got)
		}
	})
	t.Run("prepared: like text statements; a failed prepare is fail", func(t *testing.T) {
		s := dial()
		if _, err := s.ExecPrepared(ctx, insert, 10); err != nil {
			t.Fatal(err)
		}
		_, err := s.ExecPrepared(ctx, insert, 10)
		wantType(t, err, ErrDuplicate, history.Fail)
		if len(s.stmts) != 1 {
			t.Errorf("%d statements prepared for one query", len(s.stmts))
		}
		_, err = s.ExecPrepared(ctx, "INSERT INTO no_such_table (v) VALUES (?)", 11)
		wantType(t, err, 1146, history.Fail)
		var oe *OpError
		if !errors.As(err, &oe) || oe.Phase != PhaseBegin {
			t.Errorf("failed prepare wrapped as %v, want phase begin", err)
		}
	})
	t.Run("prepared: killed during execution is info, then nothing is sent", func(t *testing.T) {
		victim, killer := dial(), dial()
		if _, err := victim.ExecPrepared(ctx, insert, 12); err != nil {
			t.Fatal(err)
		}
		var id int64
		must(t, victim.Query(ctx, func(r *sql.Rows) error { return r.Scan(&id) }, "SELECT CONNECTION_ID()"))
		go func() {
			time.Sleep(300 * time.Millisecond)
			killer.ExecAutocommit(ctx, "KILL CONNECTION ?", id)
		}()
		_, err := victim.ExecPrepared(ctx, "INSERT INTO ledger (v) SELECT ? FROM DUAL WHERE SLEEP(3) = 0", 13)
		if got := outcome(err, false); got != history.Info {
			t.Errorf("killed during a prepared autocommit write: %v recorded as %s", err, got)
		}
		_, err = victim.ExecPrepared(ctx, insert, 14)
		if got := outcome(err, false); got != history.Fail {
			t.Errorf("cached statement on the dead connection: %v recorded as %s, want fail (nothing sent)", err, got)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantType checks err's server error number (0: not a server error) and
// how it is recorded.
func wantType(t *testing.T, err error, number uint16, want history.Type) {
	t.Helper()
	var me *mysql.MySQLError
	if number != 0 && (!errors.As(err, &me) || me.Number != number) {
		t.Fatalf("error %v, want server error %d", err, number)
	}
	if got := outcome(err, false); got != want {
		t.Errorf("%v recorded as %s, want %s", err, got, want)
	}
}
