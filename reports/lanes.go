package reports

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
)

// roleColors are the swimlane colours of the roles probes report.
var roleColors = map[string]string{
	"primary":           "#2e9e5b",
	"galera-primary":    "#2e9e5b",
	"replica":           "#3b7dd8",
	"galera-nonprimary": "#e0902f",
	RoleDown:            "#c94040",
	RoleUnknown:         "#9aa0a6",
}

var extraColors = []string{"#8e5bd0", "#1c9aa8", "#b8860b", "#d0508f"}

// roleColor gives any role a stable colour.
func roleColor(role string) string {
	if c, ok := roleColors[role]; ok {
		return c
	}
	h := 0
	for _, r := range role {
		h = h*31 + int(r)
	}
	return extraColors[(h%len(extraColors)+len(extraColors))%len(extraColors)]
}

// Lane geometry: height, gap, and the room above the first lane for fault labels.
const laneH, laneGap, laneTop = 22.0, 6.0, 28.0

// timelineChart draws one swimlane per node, coloured by the role its
// probes reported, with fault windows shaded and their targets outlined.
func timelineChart(m *Model) template.HTML {
	lanes := m.Timeline
	h := padTop + laneTop + float64(max(len(lanes), 1))*(laneH+laneGap) + padBottom + 4
	f := frame{h: h, end: chartEnd(m)}
	var s svg
	s.open("timeline", "node roles over time", f.h)
	s.faultBands(f, m.Faults, true)
	laneY := func(i int) float64 { return padTop + laneTop + float64(i)*(laneH+laneGap) }
	var roles []string
	for i, tl := range lanes {
		label := tl.Node
		if tl.Zone != "" {
			label += " (" + tl.Zone + ")"
		}
		s.text("lane-label", padLeft-6, laneY(i)+laneH/2+4, "end", label)
		for _, seg := range tl.Segments {
			if !slices.Contains(roles, seg.Role) {
				roles = append(roles, seg.Role)
			}
			title := fmt.Sprintf("%s %s %s → %s", tl.Node, seg.Role, fmtAt(seg.Start), fmtAt(seg.End))
			if seg.Detail != "" {
				title += " (" + seg.Detail + ")"
			}
			x0, x1 := f.x(seg.Start), f.x(seg.End)
			s.rect("data role role-"+cssName(seg.Role), x0, laneY(i), x1-x0, laneH, roleColor(seg.Role), title)
		}
		s.targetOutlines(f, m.Faults, tl.Node, laneY(i))
		s.clusterTicks(f, m.Cluster, tl.Node, laneY(i))
		s.backupBars(f, m.Backups, tl.Node, laneY(i))
	}
	var pairs []string
	for _, r := range roles {
		pairs = append(pairs, r, roleColor(r))
	}
	s.roleLegend(pairs)
	s.xAxis(f)
	return s.close()
}

// clusterTicks marks, on a pod's lane, what the control plane reported
// about it (evicted, Pending, ready, restarted, …), each with its reason.
func (s *svg) clusterTicks(f frame, evs []ClusterMark, node string, y float64) {
	for _, e := range evs {
		if e.Node != node {
			continue
		}
		title := fmt.Sprintf("%s %s %s", fmtAt(e.Time), e.Object, e.Reason)
		if e.Message != "" {
			title += ": " + e.Message
		}
		s.rect("cluster-event", f.x(e.Time)-1, y-3, 2, laneH+6, "#202124", title)
	}
}

// targetOutlines outlines, on a node's lane, the faults that targeted it.
func (s *svg) targetOutlines(f frame, faults []FaultWindow, node string, y float64) {
	for _, w := range faults {
		if !slices.Contains(w.Targets, node) {
			continue
		}
		x0, x1 := f.x(w.Start), f.x(w.End)
		s.rect("target", x0, y-2, x1-x0, laneH+4, "none", w.ID+" "+w.Kind+" targets "+node)
	}
}

func (s *svg) roleLegend(pairs []string) {
	x := padLeft
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&s.b, `<rect class="legend" x="%.1f" y="4" width="10" height="10" fill="%s"/>`, x, pairs[i+1])
		s.text("legend-label", x+14, 13, "start", pairs[i])
		x += 24 + 7*float64(len(pairs[i]))
	}
}

// cssName makes a role usable in a class attribute.
func cssName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}
