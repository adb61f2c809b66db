package network

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/vishvananda/netlink"
)

// QdiscMajor is the major handle of every root qdisc faultline adds
// (0xfa17:0), so they are told apart from the system's.
const QdiscMajor = 0xfa17

func ourHandle() uint32 { return netlink.MakeHandle(QdiscMajor, 0) }

func netemQdisc(l netlink.Link, p LatencyParams) netlink.Qdisc {
	return netlink.NewNetem(netlink.QdiscAttrs{LinkIndex: l.Attrs().Index, Handle: ourHandle(), Parent: netlink.HANDLE_ROOT},
		netlink.NetemQdiscAttrs{Latency: uint32(p.Delay.Microseconds()), Jitter: uint32(p.Jitter.Microseconds()),
			Loss: float32(p.Loss), Limit: 10000})
}

// TbfQdisc is a token bucket of rate bytes/s with a burst of 10 ms of
// traffic (at least 16 KiB) and 100 ms of queue.
func TbfQdisc(linkIndex int, rate uint64) *netlink.Tbf {
	burst := max(uint32(rate/100), 16<<10)
	return &netlink.Tbf{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: linkIndex, Handle: ourHandle(), Parent: netlink.HANDLE_ROOT},
		Rate:       rate, Buffer: netlink.Xmittime(rate, burst), Limit: burst + uint32(rate/10),
	}
}

// ourQdisc is the root qdisc of l if faultline added it.
func ourQdisc(h *netlink.Handle, l netlink.Link) (netlink.Qdisc, error) {
	qs, err := h.QdiscList(l)
	if err != nil {
		return nil, fmt.Errorf("list qdiscs on %s: %w", l.Attrs().Name, err)
	}
	for _, q := range qs {
		if q.Attrs().Parent == netlink.HANDLE_ROOT && q.Attrs().Handle == ourHandle() {
			return q, nil
		}
	}
	return nil, nil
}

// delOurQdisc deletes faultline's root qdisc on l; none is fine.
func delOurQdisc(h *netlink.Handle, l netlink.Link) error {
	q, err := ourQdisc(h, l)
	if err != nil || q == nil {
		return err
	}
	if err := h.QdiscDel(q); err != nil && !errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("delete qdisc on %s: %w", l.Attrs().Name, err)
	}
	return nil
}
