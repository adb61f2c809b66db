package verify

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// gtidKey is a MariaDB replication domain and the server that wrote a GTID.
type gtidKey struct{ domain, server uint32 }

// gtidSet is a MariaDB GTID list ("domain-server-seq,…") as the highest
// sequence number per domain and server. gtid_binlog_state lists every
// (domain, server) pair; gtid_binlog_pos and gtid_current_pos list only the
// last GTID of each domain, which makes forks harder to prove.
type gtidSet map[gtidKey]uint64

// parseGTIDs parses a MariaDB GTID list; blanks and newlines are ignored.
func parseGTIDs(s string) (gtidSet, error) {
	out := gtidSet{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := strings.Split(part, "-")
		if len(f) != 3 {
			return nil, fmt.Errorf("GTID %q: expected domain-server-seq", part)
		}
		d, err1 := strconv.ParseUint(f[0], 10, 32)
		sv, err2 := strconv.ParseUint(f[1], 10, 32)
		seq, err3 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("GTID %q: expected three unsigned numbers", part)
		}
		k := gtidKey{uint32(d), uint32(sv)}
		out[k] = max(out[k], seq)
	}
	return out, nil
}

// domainMax is the highest sequence number of a domain and how many servers
// the list names in it.
func (g gtidSet) domainMax(domain uint32) (seq uint64, servers int) {
	for k, v := range g {
		if k.domain == domain {
			seq, servers = max(seq, v), servers+1
		}
	}
	return seq, servers
}

// lacks reports whether a node whose list is g certainly does not hold the
// GTID domain-server-seq that another node holds. It is certain when g lists
// that server with a lower number, when g's domain is behind, when g's last
// GTID of the domain has the same number from another server (a conflict),
// or when the lists are binlog states (state) and g does not list that
// server. Otherwise g may hold it and lacks is false.
func (g gtidSet) lacks(k gtidKey, seq uint64, state bool) bool {
	if have, ok := g[k]; ok {
		return have < seq
	}
	top, servers := g.domainMax(k.domain)
	return servers == 0 || top <= seq || state
}

// stateForm reports whether the lists are gtid_binlog_state (every
// domain-server pair) rather than positions (the last GTID per domain):
// positions never name two servers in one domain.
func stateForm(sets []gtidSet) bool {
	for _, g := range sets {
		seen := map[uint32]bool{}
		for k := range g {
			if seen[k.domain] {
				return true
			}
			seen[k.domain] = true
		}
	}
	return false
}

// missing lists the GTIDs of a that b certainly lacks, sorted.
func missing(a, b gtidSet, state bool) []string {
	var out []string
	for k, seq := range a {
		if b.lacks(k, seq, state) {
			out = append(out, fmt.Sprintf("%d-%d-%d", k.domain, k.server, seq))
		}
	}
	sort.Strings(out)
	return out
}

// gtidDivergence is a pair of nodes each holding GTIDs the other lacks:
// errant transactions, their histories forked.
type gtidDivergence struct {
	A     string   `json:"a"`
	B     string   `json:"b"`
	AOnly []string `json:"aOnly"`
	BOnly []string `json:"bOnly"`
}

// gtidLag is a pair where one node lacks GTIDs of the other but not the
// reverse: it is behind, not forked.
type gtidLag struct {
	Behind  string   `json:"behind"`
	Ahead   string   `json:"ahead"`
	Missing []string `json:"missing"`
}

// compareGTIDs compares every pair of named GTID lists.
func compareGTIDs(names []string, sets []gtidSet) (div []gtidDivergence, lag []gtidLag) {
	state := stateForm(sets)
	for i := range sets {
		for j := i + 1; j < len(sets); j++ {
			aOnly, bOnly := missing(sets[i], sets[j], state), missing(sets[j], sets[i], state)
			switch {
			case len(aOnly) > 0 && len(bOnly) > 0:
				div = append(div, gtidDivergence{A: names[i], B: names[j], AOnly: aOnly, BOnly: bOnly})
			case len(aOnly) > 0:
				lag = append(lag, gtidLag{Behind: names[j], Ahead: names[i], Missing: aOnly})
			case len(bOnly) > 0:
				lag = append(lag, gtidLag{Behind: names[i], Ahead: names[j], Missing: bOnly})
			}
		}
	}
	return div, lag
}
