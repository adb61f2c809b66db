package workloads

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/targets"
)

// Sessions connect through the node's own dialer when it has one (a
// port-forward), and keep the raw-syscall client connection otherwise.
func TestSessionDialsThroughTheNodesDialer(t *testing.T) {
	sentinel := errors.New("dialled through the node's dialer")
	called := 0
	n := targets.Node{Name: "n1", Host: "198.18.9.9", Port: 3306, User: "u",
		Dial: func(context.Context, string, string) (net.Conn, error) {
			called++
			return nil, sentinel
		}}
	_, err := Dial(context.Background(), n, "", time.Second)
	if err == nil || !strings.Contains(err.Error(), sentinel.Error()) || called == 0 {
		t.Fatalf("dial: %v after %d calls of the node's dialer", err, called)
	}
}
