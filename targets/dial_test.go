package targets

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// A node's own dialer carries every SQL connection faultline opens to it
// (a port-forward on Kubernetes); without one, a direct TCP dial.
func TestOpenDBDialsThroughTheNodesDialer(t *testing.T) {
	sentinel := errors.New("dialled through the node's dialer")
	var addrs []string
	n := Node{Name: "n1", Host: "198.18.9.9", Port: 3306, User: "u",
		Dial: func(_ context.Context, _, addr string) (net.Conn, error) {
			addrs = append(addrs, addr)
			return nil, sentinel
		}}
	db, err := n.OpenDB("", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(context.Background()); err == nil || !strings.Contains(err.Error(), sentinel.Error()) {
		t.Fatalf("ping: %v, want the dialer's error", err)
	}
	if len(addrs) == 0 || addrs[0] != "198.18.9.9:3306" {
		t.Fatalf("dialer called with %v", addrs)
	}
	if v := AskVersions(context.Background(), []Node{n}); v != (Versions{}) {
		t.Fatalf("versions from an unreachable node: %+v", v)
	}
	if len(addrs) < 2 {
		t.Fatalf("AskVersions did not dial through the node's dialer (%d dials)", len(addrs))
	}
}
