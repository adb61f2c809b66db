package network

import (
	"fmt"
	"hash/fnv"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// RouteProtocol is the route protocol (rtm_protocol, "proto 250" in `ip
// route`) of every route faultline adds, so they are told apart from the
// system's without any recorded state.
const RouteProtocol = 0xfa

// NodeRoutes is one node's side of a partition as plain data: inside the
// namespace at NetNS a blackhole route to each of Dst (a /32) discards the
// packets the node sends to that peer.
type NodeRoutes struct {
	Node  string   `json:"node"`
	NetNS string   `json:"netns"`
	Dst   []net.IP `json:"dst"`
}

// RouteMetric is the run's tag on its routes: the route metric, a hash of
// the run id in [1, 2³¹). Two runs' routes to one peer coexist, and deleting
// one run's routes leaves the other's.
func RouteMetric(runID string) int {
	h := fnv.New32a()
	h.Write([]byte(runID))
	return int(h.Sum32()&0x7fffffff) | 1
}

// PlanRoutes turns the directed cuts of plan into routes: a cut a→b is a
// blackhole route to b's address in a's namespace. Only endpoint addresses
// are ever routed, so the harness stays reachable. Nodes without cuts get
// no entry; the order is the endpoints'.
func PlanRoutes(plan Plan, eps []Endpoint) []NodeRoutes {
	var out []NodeRoutes
	for _, a := range eps {
		r := NodeRoutes{Node: a.Node, NetNS: a.NetNS}
		for _, b := range eps {
			if a.Node != b.Node && plan.Blocked(a.Node, b.Node) {
				r.Dst = append(r.Dst, b.Addr)
			}
		}
		if len(r.Dst) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// openRoutes opens a route netlink socket inside the namespace at nsPath
// through the netlink library; the caller closes the handle.
func openRoutes(nsPath string) (*netlink.Handle, error) {
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return nil, fmt.Errorf("netns %s: %w", nsPath, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink in %s: %w", nsPath, err)
	}
	return h, nil
}

// ListRoutes lists the faultline routes (any table, IPv4) in the namespace
// at nsPath.
func ListRoutes(nsPath string) ([]netlink.Route, error) {
	h, err := openRoutes(nsPath)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	filter := &netlink.Route{Table: unix.RT_TABLE_UNSPEC, Protocol: RouteProtocol}
	rs, err := h.RouteListFiltered(netlink.FAMILY_V4, filter, netlink.RT_FILTER_TABLE|netlink.RT_FILTER_PROTOCOL)
	if err != nil {
		return nil, fmt.Errorf("list routes in %s: %w", nsPath, err)
	}
	return rs, nil
}
