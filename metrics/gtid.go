package metrics

import (
	"strconv"
	"strings"
)

// gtidPos is a MariaDB GTID position (gtid_binlog_pos, gtid_current_pos):
// the last sequence number of each replication domain.
type gtidPos map[string]uint64

// parseGTIDPos reads "domain-server-seq,…"; malformed entries are skipped.
func parseGTIDPos(s string) gtidPos {
	out := gtidPos{}
	for _, g := range strings.Split(s, ",") {
		domain, rest, ok := strings.Cut(strings.TrimSpace(g), "-")
		if !ok {
			continue
		}
		_, seq, ok := strings.Cut(rest, "-")
		if n, err := strconv.ParseUint(seq, 10, 64); ok && err == nil {
			out[domain] = max(out[domain], n)
		}
	}
	return out
}

// ahead reports whether p holds a transaction that q has not: some domain
// whose sequence number in p is past q's (a domain q lacks is at 0).
func (p gtidPos) ahead(q gtidPos) bool {
	for d, seq := range p {
		if seq > q[d] {
			return true
		}
	}
	return false
}
