package verify

import (
	"sort"

	"faultline.dev/faultline/history"
)

// rowConflict is one row key whose content differs between nodes.
type rowConflict struct {
	Key     string            `json:"key"`
	Digests map[string]string `json:"digests"` // node → digest
}

// checksumDiff is one table whose checksum differs between nodes.
type checksumDiff struct {
	Table     string           `json:"table"`
	Checksums map[string]int64 `json:"checksums"` // node → checksum
}

type healedAngle struct {
	GTIDDivergent []gtidDivergence `json:"gtidDivergent,omitempty"`
	GTIDLagging   []gtidLag        `json:"gtidLagging,omitempty"`
	RowConflicts  int              `json:"rowConflicts"`
	Rows          []rowConflict    `json:"rows,omitempty"`
	Checksums     []checksumDiff   `json:"checksums,omitempty"`
	// Findings counts what makes the angle fail; see checkHealed.
	Findings int      `json:"findings"`
	Notes    []string `json:"notes,omitempty"`
}

// checkHealed compares the nodes after healing:
//
//   - GTIDs (replication only: Galera nodes share one sequence): a pair of
//     nodes each holding GTIDs the other lacks has forked (errant
//     transactions). A node that is only behind is reported as lagging.
//   - rows: one key with different content on two nodes. For the ledger,
//     whose rows are never updated, this is always a conflict; for other
//     workloads only once the cluster reported convergence (a lagging node
//     legitimately holds an older version).
//   - table checksums: counted only once the cluster reported convergence.
func checkHealed(f *history.Final, galera bool) healedAngle {
	var h healedAngle
	nodes := reachableNodes(f)
	if len(nodes) < 2 {
		h.Notes = append(h.Notes, "fewer than two reachable nodes in the final read")
		return h
	}
	if galera {
		h.Notes = append(h.Notes, "galera: GTIDs not compared (one cluster-wide sequence)")
	} else {
		h.gtids(nodes)
	}
	immutable := f.Workload == "ledger"
	h.rows(nodes)
	if h.RowConflicts > 0 && (immutable || f.Converged) {
		h.Findings += h.RowConflicts
	}
	h.checksums(nodes)
	if len(h.Checksums) > 0 && f.Converged {
		h.Findings += len(h.Checksums)
	}
	if !f.Converged && (h.RowConflicts > 0 || len(h.Checksums) > 0) {
		h.Notes = append(h.Notes, "cluster did not converge: differing checksums (and rows of updatable workloads) may be lag")
	}
	return h
}

func (h *healedAngle) gtids(nodes []*history.FinalNode) {
	var names []string
	var sets []gtidSet
	for _, n := range nodes {
		list := n.GTIDBinlog
		if list == "" {
			list = n.GTIDCurrent
		}
		g, err := parseGTIDs(list)
		if err != nil {
			h.Notes = append(h.Notes, n.Node+": "+err.Error())
			continue
		}
		if len(g) > 0 {
			names, sets = append(names, n.Node), append(sets, g)
		}
	}
	h.GTIDDivergent, h.GTIDLagging = compareGTIDs(names, sets)
	h.Findings += len(h.GTIDDivergent)
}

func (h *healedAngle) rows(nodes []*history.FinalNode) {
	seen := map[string]bool{}
	for _, a := range nodes {
		for key, d := range a.Rows {
			if seen[key] {
				continue
			}
			seen[key] = true
			digests := map[string]string{}
			differ := false
			for _, b := range nodes {
				if db, ok := b.Rows[key]; ok {
					digests[b.Node] = db
					differ = differ || db != d
				}
			}
			if differ {
				h.RowConflicts++
				h.Rows = append(h.Rows, rowConflict{Key: key, Digests: digests})
			}
		}
	}
	sort.Slice(h.Rows, func(i, j int) bool { return h.Rows[i].Key < h.Rows[j].Key })
	h.Rows = h.Rows[:min(len(h.Rows), maxListed)]
}

func (h *healedAngle) checksums(nodes []*history.FinalNode) {
	tables := map[string]bool{}
	for _, n := range nodes {
		for t := range n.Checksums {
			tables[t] = true
		}
	}
	for t := range tables {
		sums := map[string]int64{}
		distinct := map[int64]bool{}
		for _, n := range nodes {
			if v, ok := n.Checksums[t]; ok {
				sums[n.Node] = v
				distinct[v] = true
			}
		}
		if len(distinct) > 1 {
			h.Checksums = append(h.Checksums, checksumDiff{Table: t, Checksums: sums})
		}
	}
	sort.Slice(h.Checksums, func(i, j int) bool { return h.Checksums[i].Table < h.Checksums[j].Table })
}
