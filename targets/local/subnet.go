package local

import (
	"fmt"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// reserveLock serialises the reservation of lab names and subnets (lab
// directory, subnet choice, bridge) across every lab on this machine,
// whatever its state directory.
const reserveLock = "/run/faultline-subnets.lock"

// lockFile takes an exclusive flock on path; call the returned func to release.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// usedSubnets lists the /24s of 198.18.0.0/15 that the root namespace
// already has an address or a route in.
func usedSubnets() (map[netip.Prefix]bool, error) {
	used := map[netip.Prefix]bool{}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	for _, a := range addrs {
		markUsed(used, a.IPNet.IP.String(), a.IPNet.Mask)
	}
	routes, err := netlink.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst != nil {
			markUsed(used, r.Dst.IP.String(), r.Dst.Mask)
		}
	}
	return used, nil
}

// markUsed marks every lab /24 that the network ip/mask overlaps.
func markUsed(used map[netip.Prefix]bool, ip string, mask []byte) {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is4() {
		return
	}
	ones := 32
	if mask != nil {
		ones = 0
		for _, b := range mask {
			for ; b != 0; b <<= 1 {
				ones++
			}
		}
	}
	p := netip.PrefixFrom(addr, ones).Masked()
	for _, s := range overlapping(p) {
		used[s] = true
	}
}

// overlapping lists the /24s of the lab range that p overlaps.
func overlapping(p netip.Prefix) []netip.Prefix {
	// a default route or a wider aggregate is overridden by the lab's
	// connected /24; only routes at least as specific as the lab range count
	if !p.Overlaps(labRange) || p.Bits() < labRange.Bits() {
		return nil
	}
	if p.Bits() >= 24 {
		return []netip.Prefix{netip.PrefixFrom(p.Addr(), 24).Masked()}
	}
	var out []netip.Prefix
	for s := range allSubnets() {
		if p.Contains(s.Addr()) {
			out = append(out, s)
		}
	}
	return out
}

// allSubnets yields every /24 of the lab range in order.
func allSubnets() func(func(netip.Prefix) bool) {
	return func(yield func(netip.Prefix) bool) {
		for hi := 18; hi <= 19; hi++ {
			for mid := 0; mid < 256; mid++ {
				if !yield(netip.PrefixFrom(netip.AddrFrom4([4]byte{198, byte(hi), byte(mid), 0}), 24)) {
					return
				}
			}
		}
	}
}

// chooseSubnet returns want if it is free, or the first free /24 if want is
// invalid (zero). Call it holding subnetLock.
func chooseSubnet(want netip.Prefix) (netip.Prefix, error) {
	used, err := usedSubnets()
	if err != nil {
		return netip.Prefix{}, err
	}
	if want.IsValid() {
		if used[want] {
			return netip.Prefix{}, fmt.Errorf("subnet %s is already in use on this machine", want)
		}
		return want, nil
	}
	for s := range allSubnets() {
		if !used[s] {
			return s, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("no free /24 left in %s", labRange)
}
