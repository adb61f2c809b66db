package network

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func tcp(ip net.IP, port int) *net.TCPAddr { return &net.TCPAddr{IP: ip, Port: port} }

// reportPerNode reports the p50 and p99 of a timed step divided by the
// number of nodes it touched.
func reportPerNode(b *testing.B, name string, lat []time.Duration, nodes int) {
	reportPer(b, name, "node", lat, nodes)
}

// reportPer reports the p50 and p99 of a timed step divided by n units.
func reportPer(b *testing.B, name, unit string, lat []time.Duration, n int) {
	if len(lat) == 0 || n == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 {
		return float64(lat[min(len(lat)-1, int(f*float64(len(lat))))].Nanoseconds()) / 1e3 / float64(n)
	}
	b.ReportMetric(q(0.50), name+"-p50-µs/"+unit)
	b.ReportMetric(q(0.99), name+"-p99-µs/"+unit)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
