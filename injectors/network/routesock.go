package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"syscall"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// routeOp is what a batch of route messages does.
type routeOp struct {
	msgType   uint16
	flags     uint16
	tolerated unix.Errno // the answer that means "already so"
}

var (
	opAdd = routeOp{unix.RTM_NEWROUTE, unix.NLM_F_CREATE | unix.NLM_F_EXCL, unix.EEXIST}
	opDel = routeOp{unix.RTM_DELROUTE, 0, unix.ESRCH}
)

const routeMsgLen = unix.SizeofNlMsghdr + unix.SizeofRtMsg + 2*(unix.SizeofRtAttr+4)

// appendRouteMessage appends to buf one request about the faultline
// blackhole route to dst with the given metric: nlmsghdr, rtmsg, RTA_DST
// and RTA_PRIORITY.
func appendRouteMessage(buf []byte, op routeOp, seq uint32, dst net.IP, metric int, ack bool) []byte {
	buf = append(buf, make([]byte, routeMsgLen)...)
	b := buf[len(buf)-routeMsgLen:]
	ne := binary.NativeEndian
	flags := unix.NLM_F_REQUEST | op.flags
	if ack {
		flags |= unix.NLM_F_ACK
	}
	ne.PutUint32(b[0:], routeMsgLen)
	ne.PutUint16(b[4:], op.msgType)
	ne.PutUint16(b[6:], flags)
	ne.PutUint32(b[8:], seq)
	rt := b[unix.SizeofNlMsghdr:]
	rt[0], rt[1] = unix.AF_INET, 32 // family, dst_len
	rt[4], rt[5] = unix.RT_TABLE_MAIN, RouteProtocol
	rt[6], rt[7] = unix.RT_SCOPE_UNIVERSE, unix.RTN_BLACKHOLE
	attr := rt[unix.SizeofRtMsg:]
	ne.PutUint16(attr[0:], unix.SizeofRtAttr+4)
	ne.PutUint16(attr[2:], unix.RTA_DST)
	copy(attr[4:8], dst.To4())
	ne.PutUint16(attr[8:], unix.SizeofRtAttr+4)
	ne.PutUint16(attr[10:], unix.RTA_PRIORITY)
	ne.PutUint32(attr[12:], uint32(metric))
	return buf
}

// routeSocket is a NETLINK_ROUTE socket inside one node's namespace.
type routeSocket struct {
	fd  int
	seq uint32
	buf []byte // requests, then answers
}

// openRouteSockets opens a route socket in each namespace. The calling
// goroutine's thread enters the namespaces in turn and then returns to its
// own, so the whole set costs one setns per node and no thread hand-off.
func openRouteSockets(paths []string) ([]*routeSocket, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	home, err := netns.Get()
	if err != nil {
		return nil, fmt.Errorf("current netns: %w", err)
	}
	defer home.Close()
	socks := make([]*routeSocket, 0, len(paths))
	err = visit(paths, func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		socks = append(socks, &routeSocket{fd: fd})
		return err
	})
	if back := netns.Set(home); back != nil {
		panic(fmt.Sprintf("cannot return to the harness's network namespace: %v", back))
	}
	if err != nil {
		closeAll(socks)
		return nil, err
	}
	return socks, nil
}

// visit enters each namespace in turn and runs fn there.
func visit(paths []string, fn func() error) error {
	for _, p := range paths {
		ns, err := netns.GetFromPath(p)
		if err != nil {
			return fmt.Errorf("netns %s: %w", p, err)
		}
		err = netns.Set(ns)
		ns.Close()
		if err != nil {
			return fmt.Errorf("enter netns %s: %w", p, err)
		}
		if err := fn(); err != nil {
			return fmt.Errorf("route socket in %s: %w", p, err)
		}
	}
	return nil
}

func closeAll(socks []*routeSocket) {
	for _, s := range socks {
		s.Close()
	}
}

// Close closes the socket; a nil socket is fine.
func (s *routeSocket) Close() {
	if s != nil && s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}

// apply sends one message per dst in a single write; only the last asks
// for an acknowledgement. The kernel handles the batch while the write
// runs, so every answer is queued when it returns: errors come back for
// the messages that failed, then the last one's acknowledgement.
func (s *routeSocket) apply(op routeOp, dsts []net.IP, metric int) error {
	if len(dsts) == 0 {
		return nil
	}
	buf := slices.Grow(s.buf[:0], max(len(dsts)*routeMsgLen, 1024))
	first := s.seq + 1
	for i, d := range dsts {
		s.seq++
		buf = appendRouteMessage(buf, op, s.seq, d, metric, i == len(dsts)-1)
	}
	s.buf = buf
	if err := unix.Sendto(s.fd, buf, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("send route requests: %w", err)
	}
	return s.answers(op, dsts, first)
}

// answers reads the replies to the batch whose first sequence number is
// first, until the last message's acknowledgement.
func (s *routeSocket) answers(op routeOp, dsts []net.IP, first uint32) error {
	var errs []error
	rb := s.buf[:cap(s.buf)] // one answer at a time: an error quoting a request, or an acknowledgement
	for {
		n, _, err := unix.Recvfrom(s.fd, rb, unix.MSG_DONTWAIT)
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("route acknowledgement: %w", err))...)
		}
		msgs, err := syscall.ParseNetlinkMessage(rb[:n])
		if err != nil {
			return fmt.Errorf("route answer: %w", err)
		}
		for _, m := range msgs {
			i := int(m.Header.Seq - first)
			if m.Header.Type != unix.NLMSG_ERROR || i < 0 || i >= len(dsts) || len(m.Data) < 4 {
				continue // not an answer to this batch
			}
			code := unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
			if code != 0 && code != op.tolerated {
				errs = append(errs, fmt.Errorf("blackhole route to %s: %w", dsts[i], code))
			}
			if i == len(dsts)-1 {
				return errors.Join(errs...)
			}
		}
	}
}
