package network

import (
	"net"
	"testing"
	"time"

	"github.com/google/nftables"
	"faultline.dev/faultline/injectors/network/nstest"
)

func TestIntegrationDebugTiming(t *testing.T) {
	nt := nstest.New(t, 206, 1)
	n := nt.Nodes[0]
	spec := TableSpec{Table: "faultline_dbg", DropTo: []net.IP{nt.Harness}}
	ApplyTable(n.NetNS, spec)
	tb := &nftables.Table{Name: spec.Table, Family: nftables.TableFamilyIPv4}
	for i := 0; i < 5; i++ {
		c, done, _ := nftConn(n.NetNS)
		chs, _ := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
		var out *nftables.Chain
		for _, ch := range chs {
			if ch.Name == "output" {
				out = ch
			}
		}
		t0 := time.Now()
		c.FlushChain(out)
		c.Flush()
		t1 := time.Now()
		for _, e := range rules(spec) {
			c.AddRule(&nftables.Rule{Table: tb, Chain: out, Exprs: e.exprs})
		}
		c.Flush()
		t2 := time.Now()
		c.AddTable(tb)
		c.Flush()
		t3 := time.Now()
		c.AddTable(tb)
		c.FlushTable(tb)
		for _, e := range rules(spec) {
			c.AddRule(&nftables.Rule{Table: tb, Chain: out, Exprs: e.exprs})
		}
		c.Flush()
		t4 := time.Now()
		tb2 := &nftables.Table{Name: "faultline_x", Family: nftables.TableFamilyIPv4}
		c.AddTable(tb2)
		c.Flush()
		t5 := time.Now()
		c.DelTable(tb2)
		c.Flush()
		t6 := time.Now()
		done()
		t.Log("flushchain", t1.Sub(t0), "addrule", t2.Sub(t1), "addtable-exists", t3.Sub(t2), "flushtable+add", t4.Sub(t3), "create empty table", t5.Sub(t4), "del empty table", t6.Sub(t5))
	}
}
