package workloads

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"

	"github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/history"
)

// Phase is how far an operation had got when an error happened; it decides
// whether the operation may have taken effect.
type Phase int

// Phases of an operation.
const (
	// PhaseConnect: dialing or authenticating; nothing of the operation was sent.
	PhaseConnect Phase = iota
	// PhaseBegin: START TRANSACTION; no write statement was sent.
	PhaseBegin
	// PhaseStatement: a statement inside an open transaction. Without a
	// COMMIT the server rolls the transaction back, also when the
	// connection drops.
	PhaseStatement
	// PhaseCommit: COMMIT, or a write statement in autocommit mode. Once
	// its request may have left the client, the outcome is unknown unless
	// the server answered with an error that proves a rollback.
	PhaseCommit
)

func (p Phase) String() string {
	switch p {
	case PhaseConnect:
		return "connect"
	case PhaseBegin:
		return "begin"
	case PhaseStatement:
		return "statement"
	case PhaseCommit:
		return "commit"
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// MariaDB/MySQL server error numbers the classification names.
const (
	ErrDeadlock          = 1213 // ER_LOCK_DEADLOCK, also Galera certification failure / BF abort
	ErrLockWaitTimeout   = 1205 // ER_LOCK_WAIT_TIMEOUT
	ErrWsrepNotReady     = 1047 // ER_UNKNOWN_COM_ERROR: "WSREP has not yet prepared node for application use"
	ErrDuringCommit      = 1180 // ER_ERROR_DURING_COMMIT
	ErrDuringRollback    = 1181 // ER_ERROR_DURING_ROLLBACK
	ErrReadOnly          = 1290 // ER_OPTION_PREVENTS_STATEMENT (--read-only)
	ErrReadOnlyMode      = 1836 // ER_READ_ONLY_MODE
	ErrDuplicate         = 1062 // ER_DUP_ENTRY
	ErrQueryInterrupted  = 1317 // ER_QUERY_INTERRUPTED
	ErrClientInactivity  = 4031 // client disconnected by the server for inactivity
	ErrServerShutdown    = 1053 // ER_SERVER_SHUTDOWN
	ErrConnectionKilled  = 1927 // ER_CONNECTION_KILLED
	ErrServerGone        = 2006 // CR_SERVER_GONE_ERROR (client-side code)
	ErrServerLost        = 2013 // CR_SERVER_LOST (client-side code)
	ErrTooManyConnection = 1040 // ER_CON_COUNT_ERROR
)

// rejected lists server errors that prove the statement (and, in a
// transaction, the transaction once we roll it back) did not take effect,
// whatever the phase.
var rejected = map[uint16]string{
	ErrDeadlock:        "deadlock or certification failure: rolled back",
	ErrLockWaitTimeout: "lock wait timeout: statement rolled back",
	ErrWsrepNotReady:   "node not ready (non-Primary): rejected before execution",
	ErrReadOnly:        "read-only: rejected",
	ErrReadOnlyMode:    "read-only: rejected",
	ErrDuplicate:       "duplicate key: rejected",
}

// lostConn lists server errors that end the session: like a lost
// connection, they are indeterminate once a COMMIT may have been sent.
var lostConn = map[uint16]bool{
	ErrClientInactivity: true,
	ErrServerShutdown:   true,
	ErrConnectionKilled: true,
	ErrServerGone:       true,
	ErrServerLost:       true,
}

// Classify maps an error of an operation that was at phase p to the
// completion it is recorded as: history.Fail (it definitely did not take
// effect) or history.Info (it may have). A nil error is history.OK.
//
//	error                                      | connect/begin | statement in txn | COMMIT / autocommit write
//	-------------------------------------------|---------------|------------------|--------------------------
//	1213 deadlock / Galera certification       | fail          | fail             | fail
//	1205 lock wait timeout                     | fail          | fail             | fail
//	1047 WSREP not ready (non-Primary)         | fail          | fail             | fail
//	1290, 1836 read-only                       | fail          | fail             | fail
//	1062 duplicate key (ledger: see Ledger)    | fail          | fail             | fail
//	1180 / 1181 error during commit / rollback | info          | info             | info
//	1317 query interrupted                     | fail          | fail             | info
//	4031, 1053, 1927, 2006, 2013 session ended | fail          | fail             | info
//	other server error (*mysql.MySQLError)     | fail          | fail             | info
//	driver.ErrBadConn, sql.ErrConnDone         | fail          | fail             | fail
//	mysql.ErrInvalidConn, io errors, net errors| fail          | fail             | info
//	context deadline exceeded / canceled       | fail          | fail             | info
//	dial errors (*net.OpError op "dial")       | fail          | fail             | fail
//	anything else                              | fail          | fail             | info
//
// Before COMMIT nothing is durable: a transaction whose statement failed is
// rolled back by us (or by the server when the connection drops). The go
// driver returns driver.ErrBadConn only when it wrote nothing to the socket
// (packets.go writePacket → errBadConnNoWrite → markBadConn) or the
// connection was already closed; a read that fails after the request was
// written returns mysql.ErrInvalidConn, or the context's error when the
// context ended it (the driver then closes the connection).
func Classify(err error, p Phase) history.Type {
	if err == nil {
		return history.OK
	}
	if notSent(err) {
		return history.Fail
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return classifyServer(me.Number, p)
	}
	if p < PhaseCommit {
		return history.Fail
	}
	return history.Info
}

func classifyServer(n uint16, p Phase) history.Type {
	switch {
	case n == ErrDuringCommit || n == ErrDuringRollback:
		return history.Info
	case rejected[n] != "":
		return history.Fail
	case p < PhaseCommit:
		return history.Fail
	}
	return history.Info
}

// notSent reports errors that prove the request never left the client.
func notSent(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, sql.ErrTxDone) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// ConnLost reports whether err leaves the connection unusable, so the
// client must reconnect before its next operation.
func ConnLost(err error) bool {
	if err == nil {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return lostConn[me.Number]
	}
	return true
}

// IsDeadline reports whether err is the operation's timeout.
func IsDeadline(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// ServerErrorNumber returns the server error number of err, or 0.
func ServerErrorNumber(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// OpError is an operation's error with the phase it happened at, and, when
// the workload knows better than the table, the completion to record.
type OpError struct {
	Phase Phase
	Err   error
	// Outcome overrides Classify when set (history.Fail or history.Info).
	Outcome history.Type
}

func (e *OpError) Error() string { return e.Phase.String() + ": " + e.Err.Error() }
func (e *OpError) Unwrap() error { return e.Err }

// Type is the completion e is recorded as.
func (e *OpError) Type() history.Type {
	if e.Outcome != "" {
		return e.Outcome
	}
	return Classify(e.Err, e.Phase)
}

// outcome is the completion type of an operation's error; read-only
// operations have no effect, so any error of theirs is a fail.
func outcome(err error, readOnly bool) history.Type {
	if err == nil {
		return history.OK
	}
	if readOnly {
		return history.Fail
	}
	var oe *OpError
	if errors.As(err, &oe) {
		return oe.Type()
	}
	return Classify(err, PhaseCommit)
}
