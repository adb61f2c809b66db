package verify

import (
	"sort"

	"faultline.dev/faultline/history"
)

// sample is one topology probe sample and when it was taken.
type sample struct {
	t int64
	p *history.ProbeEvent
}

// probeSamples returns the probe samples of the history, in history order.
func probeSamples(events []history.Event) []sample {
	var out []sample
	for i := range events {
		e := &events[i]
		if e.Type == history.Probe && e.Probe != nil && e.Probe.Node != "" {
			out = append(out, sample{t: e.Time, p: e.Probe})
		}
	}
	return out
}

// probeRound is one sweep of the prober: consecutive samples in which no
// node repeats. Samples of one round were taken at (about) the same time.
type probeRound struct {
	start, end int64
	samples    []sample
}

func probeRounds(samples []sample) []probeRound {
	var out []probeRound
	seen := map[string]bool{}
	var cur probeRound
	for _, s := range samples {
		if seen[s.p.Node] {
			out = append(out, cur)
			cur, seen = probeRound{}, map[string]bool{}
		}
		if len(cur.samples) == 0 {
			cur.start = s.t
		}
		seen[s.p.Node] = true
		cur.samples = append(cur.samples, s)
		cur.end = max(cur.end, s.t)
	}
	if len(cur.samples) > 0 {
		out = append(out, cur)
	}
	return out
}

// lastProbes is each node's last probe sample taken at or before `before`
// (before <= 0: the last sample of the history).
func lastProbes(samples []sample, before int64) map[string]*history.ProbeEvent {
	out := map[string]*history.ProbeEvent{}
	for _, s := range samples {
		if before > 0 && s.t > before {
			continue
		}
		out[s.p.Node] = s.p
	}
	return out
}

// isGalera reports whether any probe sample came from a Galera node.
func isGalera(samples []sample) bool {
	for _, s := range samples {
		if s.p.ClusterStatus != "" {
			return true
		}
	}
	return false
}

// authority is the set of final nodes whose content is authoritative for
// acknowledged writes: the reachable nodes whose last probe before the final
// read showed them writable (the final primary with replication; every node
// of the Primary component with Galera). When no probe shows a writable
// node, every reachable node is authoritative.
type authority struct {
	nodes  map[string]bool
	names  []string
	source string
}

func finalAuthority(in *Input) authority {
	a := authority{nodes: map[string]bool{}}
	last := lastProbes(probeSamples(in.Events), in.Final.Time)
	for _, n := range in.Final.Nodes {
		if p := last[n.Node]; n.Reachable && p != nil && p.Reachable && p.Writable {
			a.nodes[n.Node] = true
		}
	}
	a.source = "writable in the last probe before the final read"
	if len(a.nodes) == 0 {
		a.source = "every reachable node (no probe showed a writable node)"
		for _, n := range in.Final.Nodes {
			if n.Reachable {
				a.nodes[n.Node] = true
			}
		}
	}
	for n := range a.nodes {
		a.names = append(a.names, n)
	}
	sort.Strings(a.names)
	return a
}

// reachableNodes are the final nodes that were read.
func reachableNodes(f *history.Final) []*history.FinalNode {
	var out []*history.FinalNode
	for i := range f.Nodes {
		if f.Nodes[i].Reachable {
			out = append(out, &f.Nodes[i])
		}
	}
	return out
}
