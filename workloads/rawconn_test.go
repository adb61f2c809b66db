package workloads

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// loopbackPair dials a rawConn to a listener on 127.0.0.1 and returns both
// ends.
func loopbackPair(t *testing.T) (*rawConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := dialClient(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); srv.Close() })
	rc, ok := c.(*rawConn)
	if !ok {
		t.Fatalf("dialClient returned %T, want *rawConn", c)
	}
	return rc, srv
}

func TestRawConnTransfersBytesBothWays(t *testing.T) {
	c, srv := loopbackPair(t)
	// More than a socket buffer, so Write meets EAGAIN and waits for the
	// poller, and Read returns partial chunks.
	big := bytes.Repeat([]byte("faultline"), 1<<20)
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(big)
		done <- err
	}()
	got := make([]byte, len(big))
	if _, err := io.ReadFull(srv, got); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, big) {
		t.Fatal("server received different bytes")
	}
	go func() {
		_, err := srv.Write(big)
		done <- err
	}()
	back := make([]byte, len(big))
	if _, err := io.ReadFull(c, back); err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("server write: %v", err)
	}
	if !bytes.Equal(back, big) {
		t.Fatal("client received different bytes")
	}
	if n, err := c.Read(nil); n != 0 || err != nil {
		t.Errorf("empty read = %d, %v", n, err)
	}
}

func TestRawConnEOFDeadlineAndClose(t *testing.T) {
	t.Run("peer closed: EOF", func(t *testing.T) {
		c, srv := loopbackPair(t)
		srv.Close()
		if _, err := c.Read(make([]byte, 8)); err != io.EOF {
			t.Fatalf("read after peer close: %v, want EOF", err)
		}
	})
	t.Run("read deadline: a timeout net.Error", func(t *testing.T) {
		c, _ := loopbackPair(t)
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		start := time.Now()
		_, err := c.Read(make([]byte, 8))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read past deadline: %v, want a timeout", err)
		}
		if waited := time.Since(start); waited < 40*time.Millisecond || waited > 5*time.Second {
			t.Errorf("timed out after %s, deadline was 50ms", waited)
		}
	})
	t.Run("close wakes a blocked read", func(t *testing.T) {
		c, _ := loopbackPair(t)
		errc := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 8))
			errc <- err
		}()
		time.Sleep(20 * time.Millisecond)
		c.Close()
		select {
		case err := <-errc:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("read on a closed conn: %v, want net.ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not wake the blocked Read")
		}
		if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			t.Errorf("write on a closed conn: %v, want net.ErrClosed", err)
		}
	})
	t.Run("peer reset: write error", func(t *testing.T) {
		c, srv := loopbackPair(t)
		srv.(*net.TCPConn).SetLinger(0) // RST on close
		srv.Close()
		time.Sleep(20 * time.Millisecond)
		var err error
		for range 100 { // the first write after a RST may still succeed
			if _, err = c.Write([]byte("ping")); err != nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "write" {
			t.Fatalf("write to a reset peer: %v, want a *net.OpError", err)
		}
	})
}
