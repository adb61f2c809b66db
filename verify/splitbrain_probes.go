package verify

import (
	"fmt"
	"sort"
	"strings"
)

// probeIncident is a span of consecutive probe rounds that each showed the
// same split: two writable replication nodes, or two disjoint Galera Primary
// components.
type probeIncident struct {
	Kind   string   `json:"kind"` // writable-primaries | primary-components
	Start  int64    `json:"start"`
	End    int64    `json:"end"`
	Rounds int      `json:"rounds"`
	Nodes  []string `json:"nodes"`
	Detail string   `json:"detail"`
}

type probeAngle struct {
	Samples   int             `json:"samples"`
	Rounds    int             `json:"rounds"`
	Count     int             `json:"count"`               // incidents found
	Incidents []probeIncident `json:"incidents,omitempty"` // the first maxListed
	Note      string          `json:"note,omitempty"`
}

// checkProbes looks for two nodes accepting writes at the same time, one
// probe round at a time. A round is one sweep of the prober (no node twice),
// so its samples were taken at about the same time.
//
// Replication nodes (no wsrep status): two reachable writable nodes in one
// round. Galera nodes: writable Primary nodes grouped by (state UUID, conf
// id); two groups are a split when their state UUIDs differ, or when their
// reported cluster sizes add up to no more than the number of nodes — two
// disjoint Primary components. A node still reporting its old Primary view
// just before it notices a partition reports the old, larger size, so the
// sizes exceed the node count and no alarm is raised; non-Primary nodes are
// not writable and never count.
func checkProbes(samples []sample) probeAngle {
	a := probeAngle{Samples: len(samples)}
	if len(samples) == 0 {
		a.Note = "no probe samples"
		return a
	}
	total := map[string]bool{}
	for _, s := range samples {
		total[s.p.Node] = true
	}
	rounds := probeRounds(samples)
	a.Rounds = len(rounds)
	var open *probeIncident
	for _, r := range rounds {
		inc := roundIncident(r, len(total))
		if inc == nil {
			open = nil
			continue
		}
		if open != nil && open.Kind == inc.Kind && open.Detail == inc.Detail {
			open.End, open.Rounds = r.end, open.Rounds+1
			continue
		}
		a.Incidents = append(a.Incidents, *inc)
		open = &a.Incidents[len(a.Incidents)-1]
	}
	a.Count = len(a.Incidents)
	a.Incidents = a.Incidents[:min(len(a.Incidents), maxListed)]
	return a
}

func roundIncident(r probeRound, nodes int) *probeIncident {
	var writable []string
	groups := map[string][]sample{} // "uuid/conf" → writable Primary samples
	for _, s := range r.samples {
		p := s.p
		if !p.Reachable || !p.Writable {
			continue
		}
		if p.ClusterStatus == "" {
			writable = append(writable, p.Node)
			continue
		}
		if p.ClusterStatus == "Primary" {
			k := fmt.Sprintf("%s/%d", p.StateUUID, p.ConfID)
			groups[k] = append(groups[k], s)
		}
	}
	if len(writable) >= 2 {
		sort.Strings(writable)
		return &probeIncident{Kind: "writable-primaries", Start: r.start, End: r.end, Rounds: 1,
			Nodes: writable, Detail: "writable at once: " + strings.Join(writable, ", ")}
	}
	return galeraIncident(r, groups, nodes)
}

func galeraIncident(r probeRound, groups map[string][]sample, nodes int) *probeIncident {
	if len(groups) < 2 {
		return nil
	}
	keys := make([]string, 0, len(groups))
	uuids := map[string]bool{}
	sizes, known := 0, true
	var names []string
	for k, ss := range groups {
		keys = append(keys, k)
		size := 0
		for _, s := range ss {
			uuids[s.p.StateUUID] = true
			size = max(size, s.p.ClusterSize)
			names = append(names, s.p.Node)
		}
		known = known && size > 0
		sizes += size
	}
	if len(uuids) < 2 && (!known || sizes > nodes) {
		return nil
	}
	sort.Strings(keys)
	sort.Strings(names)
	return &probeIncident{Kind: "primary-components", Start: r.start, End: r.end, Rounds: 1, Nodes: names,
		Detail: fmt.Sprintf("Primary components (state uuid/conf id) %s, cluster sizes adding up to %d of %d nodes",
			strings.Join(keys, " and "), sizes, nodes)}
}
