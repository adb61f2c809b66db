package network

import (
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// inNS runs fn on an OS thread inside the namespace at nsPath; sockets fn
// creates stay in that namespace.
func inNS(tb testing.TB, nsPath string, fn func() error) {
	tb.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return // the thread stays locked and exits with the goroutine
		}
		defer orig.Close()
		target, err := netns.GetFromPath(nsPath)
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			errc <- err
			return
		}
		err = fn()
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	if err := <-errc; err != nil {
		tb.Fatalf("in %s: %v", nsPath, err)
	}
}

func listenIn(tb testing.TB, nsPath string, addr *net.TCPAddr) net.Listener {
	var ln net.Listener
	inNS(tb, nsPath, func() (err error) { ln, err = net.ListenTCP("tcp4", addr); return err })
	tb.Cleanup(func() { ln.Close() })
	return ln
}

func dialIn(tb testing.TB, nsPath string, addr *net.TCPAddr) net.Conn {
	var c net.Conn
	inNS(tb, nsPath, func() (err error) { c, err = net.DialTimeout("tcp4", addr.String(), time.Second); return err })
	tb.Cleanup(func() { c.Close() })
	return c
}

// deliver writes msg on from and returns what to reads of it within d.
func deliver(from, to net.Conn, msg string, d time.Duration) string {
	if _, err := from.Write([]byte(msg)); err != nil {
		return ""
	}
	return readFor(to, d, len(msg))
}

// readFor reads up to n bytes from c for at most d.
func readFor(c net.Conn, d time.Duration, n int) string {
	c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, n)
	got := 0
	for got < n {
		k, err := c.Read(buf[got:])
		got += k
		if err != nil {
			break
		}
	}
	return string(buf[:got])
}

func echo(tb testing.TB, a, b net.Conn, msg string, d time.Duration) {
	tb.Helper()
	if got := deliver(a, b, msg, d); got != msg {
		tb.Fatalf("connection carries %q, want %q", got, msg)
	}
}
