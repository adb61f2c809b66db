package workloads

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/targets"
)

// Database is the schema every workload uses.
const Database = "faultline"

// Session is one client's single connection to one node. Its methods run
// one statement each and wrap errors in *OpError with the phase they
// happened at, so the pool can record fail or info deliberately.
type Session struct {
	Node   string
	db     *sql.DB
	conn   *sql.Conn
	broken bool
	stmts  map[string]*sql.Stmt // prepared on conn, by query text
}

// openDB opens a pool-less handle (at most one connection) to node's
// database db with timeout for dial, read and write, the driver's logging
// off (connection errors are recorded in the history instead), and
// connections from the node's own dialer, else dialClient.
func openDB(node targets.Node, db string, timeout time.Duration) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(node.DSN(db, timeout))
	if err != nil {
		return nil, fmt.Errorf("dsn of %s: %w", node.Name, err)
	}
	cfg.Logger = &mysql.NopLogger{}
	cfg.DialFunc = dialClient
	if node.Dial != nil {
		cfg.DialFunc = node.Dial
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("connector of %s: %w", node.Name, err)
	}
	h := sql.OpenDB(connector)
	h.SetMaxOpenConns(1)
	h.SetMaxIdleConns(1)
	return h, nil
}

// Dial opens a session to node on database db.
func Dial(ctx context.Context, node targets.Node, db string, timeout time.Duration) (*Session, error) {
	h, err := openDB(node, db, timeout)
	if err != nil {
		return nil, err
	}
	c, err := h.Conn(ctx)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("connect to %s: %w", node.Name, err)
	}
	return &Session{Node: node.Name, db: h, conn: c}, nil
}

// Close closes the connection.
func (s *Session) Close() error {
	s.conn.Close()
	return s.db.Close()
}

// wrap annotates err with its phase and notes whether it ended the
// connection.
func (s *Session) wrap(p Phase, err error) error {
	if err == nil {
		return nil
	}
	if ConnLost(err) {
		s.broken = true
	}
	return &OpError{Phase: p, Err: err}
}

// Broken reports whether an error has left the connection unusable.
func (s *Session) Broken() bool { return s.broken }

// Begin starts a transaction.
func (s *Session) Begin(ctx context.Context) error {
	_, err := s.conn.ExecContext(ctx, "START TRANSACTION")
	return s.wrap(PhaseBegin, err)
}

// Commit commits the open transaction.
func (s *Session) Commit(ctx context.Context) error {
	_, err := s.conn.ExecContext(ctx, "COMMIT")
	return s.wrap(PhaseCommit, err)
}

// Rollback rolls the open transaction back, on its own short context so it
// runs even when ctx has ended; its error only tells whether the
// connection is still usable.
func (s *Session) Rollback(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_, err := s.conn.ExecContext(rctx, "ROLLBACK")
	return s.wrap(PhaseStatement, err)
}

// Exec runs a statement inside an open transaction.
func (s *Session) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := s.conn.ExecContext(ctx, q, args...)
	return r, s.wrap(PhaseStatement, err)
}

// ExecAutocommit runs a write statement in autocommit mode: once it may have
// been sent, its outcome is unknown unless the server rejected it.
func (s *Session) ExecAutocommit(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := s.conn.ExecContext(ctx, q, args...)
	return r, s.wrap(PhaseCommit, err)
}

// ExecPrepared runs the write statement q in autocommit mode as a
// server-side prepared statement, prepared on the session's first use of q
// and kept until the session closes, so the server parses it once per
// connection rather than once per operation. A failed prepare sent nothing
// of the write and is wrapped as PhaseBegin; the execution is wrapped like
// ExecAutocommit's statement.
func (s *Session) ExecPrepared(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, ok := s.stmts[q]
	if !ok {
		var err error
		if st, err = s.conn.PrepareContext(ctx, q); err != nil {
			return nil, s.wrap(PhaseBegin, err)
		}
		if s.stmts == nil {
			s.stmts = map[string]*sql.Stmt{}
		}
		s.stmts[q] = st
	}
	r, err := st.ExecContext(ctx, args...)
	return r, s.wrap(PhaseCommit, err)
}

// Query runs a read inside an open transaction (or a read-only autocommit
// statement) and hands each row to scan.
func (s *Session) Query(ctx context.Context, scan func(*sql.Rows) error, q string, args ...any) error {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return s.wrap(PhaseStatement, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return s.wrap(PhaseStatement, err)
		}
	}
	return s.wrap(PhaseStatement, rows.Err())
}

// InTxn runs body between START TRANSACTION and COMMIT; on a body error it
// rolls back and returns the body's error.
func (s *Session) InTxn(ctx context.Context, body func() error) error {
	if err := s.Begin(ctx); err != nil {
		return err
	}
	if err := body(); err != nil {
		s.Rollback(ctx)
		return err
	}
	return s.Commit(ctx)
}
