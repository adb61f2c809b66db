package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Endpoint is a node as seen by the connectivity probe.
type Endpoint struct {
	Node  string `json:"node"`
	NetNS string `json:"netns"`
	Addr  net.IP `json:"addr"`
	Ports []int  `json:"ports"` // probed ports (SQL, Galera)
}

// Matrix is the observed connectivity: Reach[a][b] is true when a TCP
// connection from a to b completed or was refused (a reply came back) on
// every probed port, false when every port timed out. Mixed lists the pairs
// where ports disagreed.
type Matrix struct {
	Reach map[string]map[string]bool `json:"reach"`
	Mixed []string                   `json:"mixed,omitempty"`
}

// ProbeMatrix dials from inside each endpoint's namespace to every other
// endpoint's ports with the given timeout, all in parallel.
func ProbeMatrix(ctx context.Context, eps []Endpoint, timeout time.Duration) (Matrix, error) {
	return probe(ctx, eps, eps, timeout)
}

// ProbeFrom dials from inside from's namespace to every port of each peer,
// all in parallel (the node agent's view from one pod).
func ProbeFrom(ctx context.Context, from Endpoint, peers []Endpoint, timeout time.Duration) (Matrix, error) {
	return probe(ctx, []Endpoint{from}, peers, timeout)
}

func probe(ctx context.Context, froms, tos []Endpoint, timeout time.Duration) (Matrix, error) {
	var wg sync.WaitGroup
	results := make(chan probeResult, len(froms)*len(tos)*4)
	for _, a := range froms {
		for _, b := range tos {
			if a.Node == b.Node {
				continue
			}
			for _, port := range b.Ports {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := DialFrom(ctx, a.NetNS, &net.TCPAddr{IP: b.Addr, Port: port}, timeout)
					results <- probeResult{a.Node, b.Node, r, err}
				}()
			}
		}
	}
	wg.Wait()
	close(results)
	return collect(froms, results)
}

type probeResult struct {
	a, b  string
	reach bool
	err   error
}

func collect(eps []Endpoint, rs <-chan probeResult) (Matrix, error) {
	m := Matrix{Reach: map[string]map[string]bool{}}
	seen := map[[2]string]bool{}
	var errs []error
	for _, e := range eps {
		m.Reach[e.Node] = map[string]bool{}
	}
	for r := range rs {
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		k := [2]string{r.a, r.b}
		if prev, ok := m.Reach[r.a][r.b]; seen[k] && ok && prev != r.reach {
			m.Mixed = append(m.Mixed, r.a+"->"+r.b)
		}
		seen[k] = true
		m.Reach[r.a][r.b] = m.Reach[r.a][r.b] || r.reach
	}
	return m, errors.Join(errs...)
}

// DialFrom opens a TCP socket inside the namespace at nsPath and connects to
// addr. Reachable is true when the connection completed or was refused, false
// when it timed out or the network was unreachable.
func DialFrom(ctx context.Context, nsPath string, addr *net.TCPAddr, timeout time.Duration) (bool, error) {
	fd, err := socketIn(nsPath)
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	var sa unix.SockaddrInet4
	copy(sa.Addr[:], addr.IP.To4())
	sa.Port = addr.Port
	switch err := unix.Connect(fd, &sa); {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ECONNREFUSED):
		return true, nil
	case !errors.Is(err, unix.EINPROGRESS):
		return false, nil
	}
	return waitConnect(ctx, fd, timeout)
}

func waitConnect(ctx context.Context, fd int, timeout time.Duration) (bool, error) {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			return false, ctx.Err()
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		n, err := unix.Poll(pfd, int(min(left, 50*time.Millisecond)/time.Millisecond)+1)
		if errors.Is(err, unix.EINTR) || err == nil && n == 0 {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("poll: %w", err)
		}
		soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return false, fmt.Errorf("connect status: %w", err)
		}
		return soerr == 0 || unix.Errno(soerr) == unix.ECONNREFUSED, nil
	}
}

// socketIn creates a non-blocking TCP socket in the namespace at nsPath. A
// socket keeps the namespace it was created in, so only its creation needs
// the OS thread to enter the namespace.
func socketIn(nsPath string) (int, error) {
	type res struct {
		fd  int
		err error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		fd, restored, err := socketInLocked(nsPath)
		if restored {
			runtime.UnlockOSThread()
		} // else the thread stays locked and exits with the goroutine
		ch <- res{fd, err}
	}()
	r := <-ch
	return r.fd, r.err
}

func socketInLocked(nsPath string) (fd int, restored bool, err error) {
	orig, err := netns.Get()
	if err != nil {
		return -1, true, fmt.Errorf("current netns: %w", err)
	}
	defer orig.Close()
	target, err := netns.GetFromPath(nsPath)
	if err != nil {
		return -1, true, fmt.Errorf("netns %s: %w", nsPath, err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		return -1, true, fmt.Errorf("enter netns %s: %w", nsPath, err)
	}
	fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	restored = netns.Set(orig) == nil
	if err != nil {
		return -1, restored, fmt.Errorf("socket in %s: %w", nsPath, err)
	}
	return fd, restored, nil
}
