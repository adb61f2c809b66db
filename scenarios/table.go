package scenarios

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints the plan for people: a header, then one aligned row per
// step with AT, HEAL, STEP, FAULT, PARAMS and TARGETS.
func (p *Plan) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "scenario %s  seed %d  duration %s\n", p.Scenario, p.Seed, p.Duration)
	fmt.Fprintf(w, "target   %s %s %s", p.Target.Kind, p.Target.Topology, p.Target.Name)
	if len(p.Target.Nodes) > 0 {
		fmt.Fprintf(w, " (%s)", nodesWithZones(p.Target.Nodes, p.Target.Zones))
	}
	fmt.Fprintf(w, "\nworkload %s, %d clients, rate %s, routing %s\n", p.Workload.Kind, p.Workload.Clients, rateString(p.Workload.Rate), p.Workload.Routing)
	if p.Backup != nil {
		fmt.Fprintf(w, "backups  %s\n", p.Backup.describe(p.Duration))
	}
	fmt.Fprintf(w, "checks   %s\n\n", strings.Join(p.Checks, ", "))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	host := p.hostMarked()
	header := "AT\tHEAL\tSTEP\tFAULT\tPARAMS\tTARGETS"
	if host {
		header += "\tON THIS HOST"
	}
	fmt.Fprintln(tw, header)
	for _, s := range p.Steps {
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", fmtOffset(s.At), healString(s, p.Duration),
			stepLabel(s), s.Kind, paramsString(s.Params), targetsString(s))
		if host {
			row += "\t" + hostString(s.Host)
		}
		fmt.Fprintln(tw, row)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return p.writeHostNotes(w)
}

// hostMarked reports whether MarkHost ran on the plan.
func (p *Plan) hostMarked() bool {
	for _, s := range p.Steps {
		if s.Host != nil {
			return true
		}
	}
	return false
}

// hostString is the step's host column: ok, DEGRADED or UNAVAILABLE (the
// lines after the table say why).
func hostString(h *HostSupport) string {
	if h == nil || h.Status == HostOK {
		return "ok"
	}
	return strings.ToUpper(h.Status)
}

// writeHostNotes explains every step the host degrades or cannot run.
func (p *Plan) writeHostNotes(w io.Writer) error {
	var err error
	sep := "\n"
	for _, s := range p.Steps {
		if s.Host != nil && s.Host.Status != HostOK {
			fmt.Fprint(w, sep)
			sep = ""
		}
		switch {
		case s.Host == nil || s.Host.Status == HostOK:
		case s.Host.Status == HostUnavailable:
			_, err = fmt.Fprintf(w, "%s %s: unavailable on this host, faultline run refuses it: %s\n", s.ID, s.Kind, s.Host.Detail)
		default:
			_, err = fmt.Fprintf(w, "%s %s: degraded on this host: %s\n", s.ID, s.Kind, s.Host.Detail)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func nodesWithZones(nodes, zones []string) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = n
		if i < len(zones) {
			parts[i] += "@" + zones[i]
		}
	}
	return strings.Join(parts, " ")
}

func rateString(r Rate) string {
	if r == 0 {
		return "unlimited"
	}
	return r.String()
}

func fmtOffset(d time.Duration) string { return "+" + d.String() }

func healString(s PlannedStep, end time.Duration) string {
	switch {
	case s.Heal != nil:
		return fmtOffset(*s.Heal)
	case s.Kind == FaultPromote:
		return "-"
	}
	return fmtOffset(end) + " (end)"
}

func stepLabel(s PlannedStep) string {
	if s.Name != "" {
		return s.ID + " " + s.Name
	}
	return s.ID
}

// paramsString renders a fault's JSON fields as k=v pairs sorted by key.
func paramsString(raw json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, m[k])
	}
	return strings.Join(parts, " ")
}

func targetsString(s PlannedStep) string {
	cands := strings.Join(s.Candidates, ",")
	if cands == "" || s.Selector == "nodes "+cands {
		return s.Selector
	}
	return s.Selector + " → " + cands
}

// WriteJSON writes the plan as indented JSON (plan.json of a run directory).
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
