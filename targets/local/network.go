package local

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// nodeIface is the node's interface inside its namespace.
const nodeIface = "eth0"

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), 32)}
}

// createBridge adds the lab's bridge with the harness address and brings it up.
func createBridge(name string, addr netip.Prefix) error {
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}
	if err := netlink.LinkAdd(br); err != nil {
		return fmt.Errorf("create bridge %s: %w", name, err)
	}
	if err := netlink.AddrAdd(br, &netlink.Addr{IPNet: ipNet(addr)}); err != nil {
		return fmt.Errorf("address %s on bridge %s: %w", addr, name, err)
	}
	if err := netlink.LinkSetUp(br); err != nil {
		return fmt.Errorf("bring up bridge %s: %w", name, err)
	}
	return nil
}

// netnsDir is where named network namespaces are bound, as iproute2 has it.
const netnsDir = "/run/netns"

// shareNetnsDir makes netnsDir a mount point of its own with shared
// propagation before any namespace is bound in it, as `ip netns add` does
// on its first call after boot (iproute2's netns_add). Without it, the
// first `ip netns add` on this host — Docker, a CNI plugin, a capability
// probe — bind-mounts the directory over itself and hides every namespace
// bound before, so nsenter on a lab's node finds an empty file ("Invalid
// argument") and its namespaces can no longer be unmounted.
func shareNetnsDir() error {
	if err := os.MkdirAll(netnsDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", netnsDir, err)
	}
	for bound := false; ; bound = true {
		err := unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.EINVAL) || bound {
			return fmt.Errorf("make %s a shared mount: %w", netnsDir, err)
		}
		// not a mount point yet: bind it onto itself, then share it
		if err := unix.Mount(netnsDir, netnsDir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind %s onto itself: %w", netnsDir, err)
		}
	}
}

// newNamedNetns creates a named namespace without moving the caller: the
// creating thread is locked and returned to its original namespace.
func newNamedNetns(name string) (netns.NsHandle, error) {
	if err := shareNetnsDir(); err != nil {
		return 0, err
	}
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return 0, fmt.Errorf("current netns: %w", err)
	}
	defer orig.Close()
	var h netns.NsHandle
	for attempt := 0; ; attempt++ {
		h, err = netns.NewNamed(name)
		// deletion of a namespace of the same name is asynchronous
		if !errors.Is(err, unix.EEXIST) || attempt >= 20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if serr := netns.Set(orig); serr != nil {
		// the thread is in the wrong namespace: let it die with the goroutine
		return 0, errors.Join(err, fmt.Errorf("restore netns: %w", serr))
	}
	runtime.UnlockOSThread()
	if err != nil {
		return 0, fmt.Errorf("create netns %s: %w", name, err)
	}
	return h, nil
}

// nodeNet is one node's network: namespace, veth pair, address.
type nodeNet struct {
	NetNS    string
	HostLink string
	Bridge   string
	Addr     netip.Prefix
}

// create builds the node's namespace and veth pair; the node end is eth0 in
// the namespace with the node's address, and lo is up. No default route.
func (n nodeNet) create() (err error) {
	ns, err := newNamedNetns(n.NetNS)
	if err != nil {
		return err
	}
	defer ns.Close()
	br, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		return fmt.Errorf("find bridge %s: %w", n.Bridge, err)
	}
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: n.HostLink, MasterIndex: br.Attrs().Index},
		PeerName:      nodeIface,
		PeerNamespace: netlink.NsFd(int(ns)),
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s in %s: %w", n.HostLink, n.NetNS, err)
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		return fmt.Errorf("bring up %s: %w", n.HostLink, err)
	}
	return n.configureInside(ns)
}

func (n nodeNet) configureInside(ns netns.NsHandle) error {
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("netlink in %s: %w", n.NetNS, err)
	}
	defer h.Close()
	for _, name := range []string{"lo", nodeIface} {
		link, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("find %s in %s: %w", name, n.NetNS, err)
		}
		if name == nodeIface {
			if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(n.Addr)}); err != nil {
				return fmt.Errorf("address %s on %s in %s: %w", n.Addr, name, n.NetNS, err)
			}
		}
		if err := h.LinkSetUp(link); err != nil {
			return fmt.Errorf("bring up %s in %s: %w", name, n.NetNS, err)
		}
	}
	return nil
}

// deleteLink deletes a root-namespace link; a missing link is not an error.
func deleteLink(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("find link %s: %w", name, err)
	}
	if err := netlink.LinkDel(link); err != nil {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// deleteNetns unbinds a named namespace; a missing one is not an error.
func deleteNetns(name string) error {
	path := netnsPath(name)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("delete netns %s: %w", name, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete netns %s: %w", name, err)
	}
	return nil
}
