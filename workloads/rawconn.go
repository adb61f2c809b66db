package workloads

import (
	"context"
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// dialClient dials a client connection whose reads and writes skip the
// runtime's system-call bookkeeping.
//
// A workload client is a ping-pong: one small request, then a wait of a
// millisecond for the commit. Through net.Conn every read and write of a
// socket goes through syscall.Syscall, and entering a system call wakes the
// runtime's monitor thread whenever the process was idle — which, between
// two commits, it always is. Measured on a 3-node Galera lab: per commit
// two futex calls, a nanosleep and two context switches more than a C
// client. With raw calls the client's CPU per commit in make
// bench-workload fell from 72 to 43 µs at 1 client and from 43 to 29 µs
// at 8 (sysbench: 31), CPU the lab's servers get back.
//
// The socket is non-blocking (the runtime's poller owns it), so its read and
// write never block in the kernel: they either transfer bytes or return
// EAGAIN at once. That makes syscall.RawSyscall safe for them. The calls run
// inside syscall.RawConn.Read/Write, so waiting for readiness, deadlines,
// Close and the descriptor's lifetime stay the poller's, exactly as for any
// net.Conn.
func dialClient(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		tc.Close()
		return nil, err
	}
	return &rawConn{TCPConn: tc, rc: rc}, nil
}

// rawConn is a TCP connection whose Read and Write use raw system calls
// on the non-blocking socket; everything else is the *net.TCPConn's.
type rawConn struct {
	*net.TCPConn
	rc syscall.RawConn
}

func (c *rawConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case 0:
				n = int(r)
				return true
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait for the poller, then try again
			}
			errno = e
			return true
		}
	})
	switch {
	case err != nil:
		return n, c.opError("read", err)
	case errno != 0:
		return 0, c.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (c *rawConn) Write(p []byte) (int, error) {
	var n int
	var errno syscall.Errno
	err := c.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch e {
			case 0:
				n += int(r)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	switch {
	case err != nil:
		return n, c.opError("write", err)
	case errno != 0:
		return n, c.opError("write", os.NewSyscallError("write", errno))
	}
	return n, nil
}

// opError wraps err the way net.Conn does, so messages, net.Error's
// Timeout and errors.Is(err, os.ErrDeadlineExceeded) are as usual.
func (c *rawConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
