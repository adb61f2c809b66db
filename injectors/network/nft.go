package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
	"golang.org/x/sys/unix"
)

// TablePrefix starts the name of every nftables table faultline creates.
const TablePrefix = "faultline_"

// TableName is the nftables table of a run: faultline_<runid>, with every
// character nftables does not accept in a name replaced by '_'.
func TableName(runID string) string {
	return TablePrefix + strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, runID)
}

// TableSpec is the desired content of one node's table: packets to DropTo
// (output) and from DropFrom (input) are dropped; DropLink drops everything
// on that interface both ways (a node cut off completely); QueueLink hands
// every packet sent on that interface to NFQUEUE QueueNum, bypassed while
// no consumer is bound (a latency); Isolate drops everything but loopback,
// forwarded packets included (a whole node's namespace gone silent).
type TableSpec struct {
	Table     string   `json:"table"`
	DropTo    []net.IP `json:"dropTo,omitempty"`
	DropFrom  []net.IP `json:"dropFrom,omitempty"`
	DropLink  string   `json:"dropLink,omitempty"`
	QueueLink string   `json:"queueLink,omitempty"`
	QueueNum  uint16   `json:"queueNum,omitempty"`
	Isolate   bool     `json:"isolate,omitempty"`
}

// OpenNS opens a namespace path (e.g. /run/netns/fl-demo-n1) for nftables,
// netlink and setns. The caller closes the file.
func OpenNS(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open netns: %w", err)
	}
	return f, nil
}

// nftConn is a netlink connection to nftables inside the namespace at path.
func nftConn(nsPath string) (*nftables.Conn, func(), error) {
	f, err := OpenNS(nsPath)
	if err != nil {
		return nil, nil, err
	}
	c, err := nftables.New(nftables.WithNetNSFd(int(f.Fd())))
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("nftables in %s: %w", nsPath, err)
	}
	return c, func() { f.Close() }, nil
}

// ApplyTable sets the node's table to spec. The common case, no table yet,
// is one batch that only adds (fast: nf_tables commits that delete wait for
// an RCU grace period); when the table exists it is replaced atomically in a
// batch that creates, deletes and re-creates it, so applying twice leaves
// exactly one copy.
func ApplyTable(nsPath string, spec TableSpec) error {
	c, done, err := nftConn(nsPath)
	if err != nil {
		return err
	}
	defer done()
	t := &nftables.Table{Name: spec.Table, Family: nftables.TableFamilyIPv4}
	addRules(c, c.CreateTable(t), spec)
	if err = c.Flush(); errors.Is(err, unix.EEXIST) {
		c.AddTable(t)
		c.DelTable(t)
		addRules(c, c.AddTable(t), spec)
		err = c.Flush()
	}
	if err != nil {
		return fmt.Errorf("nftables table %s in %s: %w", spec.Table, nsPath, err)
	}
	return nil
}

// DeleteTable removes a table; an absent table (or namespace) is not an error.
func DeleteTable(nsPath, table string) error {
	if _, err := os.Stat(nsPath); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	c, done, err := nftConn(nsPath)
	if err != nil {
		return err
	}
	defer done()
	t := &nftables.Table{Name: table, Family: nftables.TableFamilyIPv4}
	c.AddTable(t)
	c.DelTable(t)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("delete nftables table %s in %s: %w", table, nsPath, err)
	}
	return nil
}

// ListTables lists the faultline tables in a namespace.
func ListTables(nsPath string) ([]string, error) {
	c, done, err := nftConn(nsPath)
	if err != nil {
		return nil, err
	}
	defer done()
	ts, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, fmt.Errorf("list nftables tables in %s: %w", nsPath, err)
	}
	var out []string
	for _, t := range ts {
		if strings.HasPrefix(t.Name, TablePrefix) {
			out = append(out, t.Name)
		}
	}
	return out, nil
}

func addRules(c *nftables.Conn, t *nftables.Table, spec TableSpec) {
	accept := nftables.ChainPolicyAccept
	in := c.AddChain(&nftables.Chain{Name: "input", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter, Policy: &accept})
	out := c.AddChain(&nftables.Chain{Name: "output", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityFilter, Policy: &accept})
	var fwd *nftables.Chain
	if spec.Isolate {
		drop := nftables.ChainPolicyDrop
		fwd = c.AddChain(&nftables.Chain{Name: "forward", Table: t, Type: nftables.ChainTypeFilter,
			Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &drop})
	}
	for _, e := range rules(spec) {
		ch := map[hook]*nftables.Chain{hookIn: in, hookOut: out, hookFwd: fwd}[e.hook]
		c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: e.exprs, UserData: []byte(spec.Table)})
	}
}

type hook int

const (
	hookOut hook = iota
	hookIn
	hookFwd
)

type ruleExprs struct {
	hook  hook
	exprs []expr.Any
}

// rules is the pure translation of a spec into nftables rules.
func rules(spec TableSpec) []ruleExprs {
	var out []ruleExprs
	drop := &expr.Verdict{Kind: expr.VerdictDrop}
	if spec.DropLink != "" {
		name := ifname(spec.DropLink)
		out = append(out,
			ruleExprs{hookIn, []expr.Any{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: name}, drop}},
			ruleExprs{hookOut, []expr.Any{&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: name}, drop}})
	}
	if spec.Isolate { // the forward chain's policy drops the rest
		lo := ifname("lo")
		out = append(out,
			ruleExprs{hookIn, []expr.Any{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
				&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: lo}, drop}},
			ruleExprs{hookOut, []expr.Any{&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
				&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: lo}, drop}})
	}
	if spec.QueueLink != "" {
		out = append(out, ruleExprs{hookOut, []expr.Any{&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(spec.QueueLink)},
			nfqueueTarget(spec.QueueNum)}})
	}
	for _, ip := range spec.DropTo {
		out = append(out, ruleExprs{hookOut, addrDrop(16, ip)})
	}
	for _, ip := range spec.DropFrom {
		out = append(out, ruleExprs{hookIn, addrDrop(12, ip)})
	}
	return out
}

// addrDrop drops IPv4 packets whose address at offset (12 source, 16
// destination) in the network header is ip.
func addrDrop(offset uint32, ip net.IP) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ip.To4()},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
}

// nfqueueTarget is iptables' NFQUEUE target (revision 3: queue number,
// queues total 1, flag bypass) through nft_compat, as iptables-nft writes
// it: kernels build xt_NFQUEUE far more often than nftables' own queue
// expression (this one has CONFIG_NETFILTER_XT_TARGET_NFQUEUE but not
// CONFIG_NFT_QUEUE), and it needs nothing the lab's iptables rule does not.
func nfqueueTarget(num uint16) *expr.Target {
	info := make(xt.Unknown, 8) // struct xt_NFQ_info_v3, padded to XT_ALIGN
	binary.NativeEndian.PutUint16(info[0:], num)
	binary.NativeEndian.PutUint16(info[2:], 1) // queues_total
	binary.NativeEndian.PutUint16(info[4:], 1) // NFQ_FLAG_BYPASS
	return &expr.Target{Name: "NFQUEUE", Rev: 3, Info: &info}
}

func ifname(s string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, s)
	return b
}
