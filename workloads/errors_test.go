package workloads

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/history"
)

func TestClassify(t *testing.T) {
	server := func(n uint16) error { return &mysql.MySQLError{Number: n, Message: "x"} }
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout")}
	const F, I = history.Fail, history.Info
	tests := []struct {
		name                       string
		err                        error
		connect, begin, stmt, comm history.Type
	}{
		{"deadlock / certification failure", server(1213), F, F, F, F},
		{"lock wait timeout", server(1205), F, F, F, F},
		{"wsrep not ready", server(1047), F, F, F, F},
		{"read-only", server(1290), F, F, F, F},
		{"read-only mode", server(1836), F, F, F, F},
		{"duplicate", server(1062), F, F, F, F},
		{"error during commit", server(1180), I, I, I, I},
		{"error during rollback", server(1181), I, I, I, I},
		{"query interrupted", server(1317), F, F, F, I},
		{"inactivity disconnect", server(4031), F, F, F, I},
		{"server shutdown", server(1053), F, F, F, I},
		{"connection killed", server(1927), F, F, F, I},
		{"server gone", server(2006), F, F, F, I},
		{"server lost", server(2013), F, F, F, I},
		{"unknown server error", server(1146), F, F, F, I},
		{"driver bad conn (nothing written)", driver.ErrBadConn, F, F, F, F},
		{"wrapped bad conn", fmt.Errorf("x: %w", driver.ErrBadConn), F, F, F, F},
		{"sql conn done", sql.ErrConnDone, F, F, F, F},
		{"sql tx done", sql.ErrTxDone, F, F, F, F},
		{"invalid connection (read after write)", mysql.ErrInvalidConn, F, F, F, I},
		{"unexpected EOF", io.ErrUnexpectedEOF, F, F, F, I},
		{"short write", io.ErrShortWrite, F, F, F, I},
		{"read timeout", read, F, F, F, I},
		{"dial refused", dial, F, F, F, F},
		{"wrapped dial", fmt.Errorf("connect to n1: %w", dial), F, F, F, F},
		{"context deadline", context.DeadlineExceeded, F, F, F, I},
		{"context canceled", context.Canceled, F, F, F, I},
		{"anything else", errors.New("boom"), F, F, F, I},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for p, want := range map[Phase]history.Type{PhaseConnect: tc.connect, PhaseBegin: tc.begin, PhaseStatement: tc.stmt, PhaseCommit: tc.comm} {
				if got := Classify(tc.err, p); got != want {
					t.Errorf("Classify(%v, %s) = %s, want %s", tc.err, p, got, want)
				}
				if got := (&OpError{Phase: p, Err: tc.err}).Type(); got != want {
					t.Errorf("OpError{%s, %v}.Type() = %s, want %s", p, tc.err, got, want)
				}
			}
		})
	}
}

func TestClassifyNil(t *testing.T) {
	if got := Classify(nil, PhaseCommit); got != history.OK {
		t.Fatalf("Classify(nil) = %s, want ok", got)
	}
}

func TestOutcome(t *testing.T) {
	lost := &OpError{Phase: PhaseCommit, Err: mysql.ErrInvalidConn}
	tests := []struct {
		name     string
		err      error
		readOnly bool
		want     history.Type
	}{
		{"ok", nil, false, history.OK},
		{"write lost at commit", lost, false, history.Info},
		{"read lost: no effect", lost, true, history.Fail},
		{"override", &OpError{Phase: PhaseCommit, Err: ErrInsufficientFunds, Outcome: history.Fail}, false, history.Fail},
		{"bare error is treated as commit", io.EOF, false, history.Info},
		{"ledger duplicate is info", ledgerOutcome(&OpError{Phase: PhaseCommit, Err: &mysql.MySQLError{Number: 1062}}), false, history.Info},
		{"ledger other stays", ledgerOutcome(&OpError{Phase: PhaseCommit, Err: &mysql.MySQLError{Number: 1213}}), false, history.Fail},
	}
	for _, tc := range tests {
		if got := outcome(tc.err, tc.readOnly); got != tc.want {
			t.Errorf("%s: outcome = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestConnLost(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&mysql.MySQLError{Number: 1213}, false},
		{&mysql.MySQLError{Number: 1047}, false},
		{&mysql.MySQLError{Number: 1927}, true},
		{&mysql.MySQLError{Number: 4031}, true},
		{&OpError{Phase: PhaseCommit, Err: mysql.ErrInvalidConn}, true},
		{context.DeadlineExceeded, true},
	} {
		if got := ConnLost(tc.err); got != tc.want {
			t.Errorf("ConnLost(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
