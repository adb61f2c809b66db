package network

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Leftovers lists what a run (runID; "" = any run) left in a node's
// network: faultline blackhole routes (partitions), nftables tables and
// NFQUEUE rules in its namespace and faultline qdiscs on its links (hostLink
// in the harness's namespace).
func Leftovers(ctx context.Context, node, nsPath, link, hostLink, runID string) ([]string, error) {
	if missingNS(nsPath) {
		return nil, nil
	}
	want := TablePrefix
	if runID != "" {
		want = TableName(runID)
	}
	out, err := routeLeftovers(node, nsPath, runID)
	if err != nil {
		return nil, err
	}
	tabs, err := ListTables(nsPath)
	if err != nil {
		return nil, err
	}
	for _, t := range tabs {
		if runID == "" || t == want {
			out = append(out, fmt.Sprintf("%s: nftables table %s", node, t))
		}
	}
	rules, err := ExecIn(ctx, nsPath, "iptables", "-w", "-S", "OUTPUT")
	if _, lookErr := exec.LookPath("iptables"); lookErr != nil {
		rules, err = nil, nil // no iptables: no NFQUEUE rule either
	}
	if err != nil {
		return nil, err
	}
	for _, r := range strings.Split(string(rules), "\n") {
		if strings.Contains(r, "NFQUEUE") && strings.Contains(r, want) {
			out = append(out, fmt.Sprintf("%s: iptables rule %s", node, strings.TrimSpace(r)))
		}
	}
	for _, pl := range []QdiscPlace{{NetNS: nsPath, Link: link}, {Link: hostLink}} {
		if pl.Link == "" {
			continue
		}
		err := withLinkIn(pl.NetNS, pl.Link, func(h *netlink.Handle, l netlink.Link) error {
			q, err := ourQdisc(h, l)
			if q != nil {
				out = append(out, fmt.Sprintf("%s: %s qdisc %x: on %s", node, q.Type(), QdiscMajor, pl.Link))
			}
			return err
		})
		var nf netlink.LinkNotFoundError
		if err != nil && !errors.As(err, &nf) {
			return nil, err
		}
	}
	return out, nil
}

// routeLeftovers lists the faultline routes in a namespace; with a runID,
// only those tagged with its metric.
func routeLeftovers(node, nsPath, runID string) ([]string, error) {
	if nsPath == "" {
		return nil, nil
	}
	rs, err := ListRoutes(nsPath)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if runID == "" || r.Priority == RouteMetric(runID) {
			out = append(out, fmt.Sprintf("%s: faultline route %s %s proto %d metric %d table %d",
				node, routeTypeName(r.Type), r.Dst, r.Protocol, r.Priority, r.Table))
		}
	}
	return out, nil
}

func routeTypeName(t int) string {
	switch t {
	case unix.RTN_BLACKHOLE:
		return "blackhole"
	case unix.RTN_UNREACHABLE:
		return "unreachable"
	case unix.RTN_PROHIBIT:
		return "prohibit"
	}
	return fmt.Sprintf("type %d", t)
}
