package network

import (
	"net"
	"testing"
	"time"

	"faultline.dev/faultline/injectors/network/nstest"
)

func TestIntegrationDebugTiming(t *testing.T) {
	nt := nstest.New(t, 206, 1)
	n := nt.Nodes[0]
	spec := TableSpec{Table: "faultline_dbg", DropTo: []net.IP{nt.Harness}}
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		c, done, _ := nftConn(n.NetNS)
		t1 := time.Now()
		c.ListTables()
		t2 := time.Now()
		done()
		ApplyTable(n.NetNS, spec)
		t3 := time.Now()
		ApplyTable(n.NetNS, spec)
		t4 := time.Now()
		DeleteTable(n.NetNS, spec.Table)
		t5 := time.Now()
		DeleteTable(n.NetNS, spec.Table)
		t6 := time.Now()
		t.Log("conn", t1.Sub(t0), "list", t2.Sub(t1), "apply", t3.Sub(t2), "reapply", t4.Sub(t3), "delete", t5.Sub(t4), "delete absent", t6.Sub(t5))
	}
}
