package all

import (
	"fmt"
	"math/rand"
	"slices"

	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// Roles a selector can name.
const (
	RolePrimary  = "primary"
	RoleReplicas = "replicas"
	RoleMinority = "minority"
	RoleMajority = "majority"
)

// Select resolves a selector against the nodes (in target order) and their
// live probes, when the step fires. Names and zones select directly; roles
// read the probes:
//
//   - primary: the writable replication primary; in Galera the first (by
//     name) node in the Primary component and Synced.
//   - replicas: reachable read-only replicas; in Galera the synced nodes
//     other than that primary.
//   - minority: ⌊(n-1)/2⌋ nodes drawn with rng; majority: the others.
//
// Random then draws that many of the result with rng. The result keeps
// target order. An empty selector selects every node.
func Select(sel scenarios.Selector, probes []targets.Probe, nodes []targets.Node, rng *rand.Rand) ([]string, error) {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	picked, err := base(sel, probes, nodes, names, rng)
	if err != nil {
		return nil, err
	}
	if sel.Random > 0 {
		if sel.Random > len(picked) {
			return nil, fmt.Errorf("select %s: only %d nodes to choose from", sel, len(picked))
		}
		picked = draw(picked, sel.Random, rng)
	}
	return inOrder(names, picked), nil
}

func base(sel scenarios.Selector, probes []targets.Probe, nodes []targets.Node, names []string, rng *rand.Rand) ([]string, error) {
	switch {
	case len(sel.Nodes) > 0:
		for _, n := range sel.Nodes {
			if !slices.Contains(names, n) {
				return nil, fmt.Errorf("select: unknown node %q", n)
			}
		}
		return slices.Clone(sel.Nodes), nil
	case sel.Zone != "":
		var out []string
		for _, n := range nodes {
			if n.Zone == sel.Zone {
				out = append(out, n.Name)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("select: no node in zone %q", sel.Zone)
		}
		return out, nil
	case sel.Role != "":
		return byRole(sel.Role, probes, names, rng)
	}
	return slices.Clone(names), nil
}

func byRole(role string, probes []targets.Probe, names []string, rng *rand.Rand) ([]string, error) {
	primary := primaryOf(probes, names)
	switch role {
	case RolePrimary:
		if primary == "" {
			return nil, fmt.Errorf("select primary: no writable primary in the probes")
		}
		return []string{primary}, nil
	case RoleReplicas:
		var out []string
		for _, p := range probes {
			replica := p.Role == targets.RoleReplica && p.Reachable
			galera := p.Role == targets.RoleGaleraSynced && p.Node != primary
			if replica || galera {
				out = append(out, p.Node)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("select replicas: no reachable replica in the probes")
		}
		return out, nil
	case RoleMinority, RoleMajority:
		minority := draw(names, (len(names)-1)/2, rng)
		if len(minority) == 0 {
			return nil, fmt.Errorf("select %s: %d nodes have no minority", role, len(names))
		}
		if role == RoleMinority {
			return minority, nil
		}
		var rest []string
		for _, n := range names {
			if !slices.Contains(minority, n) {
				rest = append(rest, n)
			}
		}
		return rest, nil
	}
	return nil, fmt.Errorf("select: unknown role %q (primary, replicas, minority, majority)", role)
}

// primaryOf is the writable replication primary, else the first Galera node
// in the Primary component, in target order.
func primaryOf(probes []targets.Probe, names []string) string {
	var galera []string
	for _, p := range probes {
		switch {
		case p.Role == targets.RolePrimary && p.Writable:
			return p.Node
		case p.Role == targets.RoleGaleraSynced:
			galera = append(galera, p.Node)
		}
	}
	if g := inOrder(names, galera); len(g) > 0 {
		return g[0]
	}
	return ""
}

// draw picks n of from with rng (deterministic for a seed: from is sorted first).
func draw(from []string, n int, rng *rand.Rand) []string {
	c := slices.Clone(from)
	slices.Sort(c)
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c[:n]
}

func inOrder(names, picked []string) []string {
	var out []string
	for _, n := range names {
		if slices.Contains(picked, n) {
			out = append(out, n)
		}
	}
	return out
}
