package network

import (
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func tcp(ip net.IP, port int) *net.TCPAddr { return &net.TCPAddr{IP: ip, Port: port} }

func stringReader(s string) io.Reader { return strings.NewReader(s) }

// reportPerNode reports the p50 and p99 of a timed step divided by the
// number of nodes it touched.
func reportPerNode(b *testing.B, name string, lat []time.Duration, nodes int) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 {
		return float64(lat[min(len(lat)-1, int(f*float64(len(lat))))].Microseconds()) / float64(nodes)
	}
	b.ReportMetric(q(0.50), name+"-p50-µs/node")
	b.ReportMetric(q(0.99), name+"-p99-µs/node")
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
