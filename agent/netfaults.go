package agent

import (
	"fmt"
	"net"
	"path/filepath"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/network"
)

// latency holds the packets the pod sends on its interface: the lab's
// NFQUEUE delayer, bound inside the pod's network namespace by this agent,
// behind a queue rule written over netlink (the agent's image has no
// iptables). The rule bypasses the queue when no consumer is bound, so an
// agent that dies mid-fault lets traffic flow undelayed, and its successor
// deletes the rule from its ledger.
func latency(req Request, p Proc) (injectors.Fault, error) {
	if req.Delay <= 0 {
		return nil, fmt.Errorf("latency %s: delay must be positive", req.Pod.Name)
	}
	link, _, err := podLink(p.NetNS, req.Addr)
	if err != nil {
		return nil, fmt.Errorf("latency %s: %w", req.Pod.Name, err)
	}
	ep := network.Endpoint{Node: req.Pod.Name, NetNS: p.NetNS, Addr: req.Addr, Ports: []int{req.Port}}
	return network.NewLatency(req.RunID, network.MethodNFTables, ep, link, req.Delay, req.Jitter, req.Loss), nil
}

// bandwidth puts the lab's token bucket on the pod's interface (out) and
// on its veth's node end (in), found by the peer index of the pod's end.
func bandwidth(req Request, p Proc, proc string) (injectors.Fault, error) {
	link, peer, err := podLink(p.NetNS, req.Addr)
	if err != nil {
		return nil, fmt.Errorf("bandwidth %s: %w", req.Pod.Name, err)
	}
	nodeNS := filepath.Join(proc, "1", "ns", "net")
	host := ""
	if req.Direction != network.DirOut {
		if host, err = linkByIndex(nodeNS, peer); err != nil {
			return nil, fmt.Errorf("bandwidth %s: the node end of its interface %s: %w", req.Pod.Name, link, err)
		}
	}
	places, err := network.BandwidthPlaces(req.Direction, p.NetNS, host, link)
	if err != nil {
		return nil, err
	}
	for i := range places {
		if places[i].NetNS == "" { // the node's end, not the agent's namespace
			places[i].NetNS = nodeNS
		}
	}
	return network.NewBandwidth(req.RunID, req.Pod.Name, req.Rate, places)
}

// podLink is the name of the pod's interface holding addr, and the index
// of its veth peer in the node's namespace (0 when it is not a veth).
func podLink(nsPath string, addr net.IP) (string, int, error) {
	var name string
	var peer int
	err := inNS(nsPath, func(h *netlink.Handle) error {
		links, err := h.LinkList()
		if err != nil {
			return err
		}
		for _, l := range links {
			addrs, err := h.AddrList(l, netlink.FAMILY_V4)
			if err != nil {
				return err
			}
			for _, a := range addrs {
				if a.IP.Equal(addr) {
					name, peer = l.Attrs().Name, l.Attrs().ParentIndex
					return nil
				}
			}
		}
		return fmt.Errorf("no interface holds %v", addr)
	})
	return name, peer, err
}

// linkByIndex is the name of interface index in the namespace at nsPath.
func linkByIndex(nsPath string, index int) (string, error) {
	if index == 0 {
		return "", fmt.Errorf("the pod's interface is not a veth")
	}
	var name string
	err := inNS(nsPath, func(h *netlink.Handle) error {
		l, err := h.LinkByIndex(index)
		if err != nil {
			return fmt.Errorf("link %d: %w", index, err)
		}
		name = l.Attrs().Name
		return nil
	})
	return name, err
}

// inNS runs fn with a netlink handle inside the namespace at nsPath.
func inNS(nsPath string, fn func(*netlink.Handle) error) error {
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return fmt.Errorf("netns %s: %w", nsPath, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("netlink in %s: %w", nsPath, err)
	}
	defer h.Close()
	return fn(h)
}
