package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/verify"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

var reportTmpl = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"at":   fmtAt,
	"dur":  fmtDur,
	"join": strings.Join,
	"heal": fmtHeal,
	"thr":  fmtThreshold,
	"wval": fmtWindowValue,
	"mark": statusMark,
}).ParseFS(templateFS, "templates/report.html.tmpl"))

// htmlView is what the report template reads.
type htmlView struct {
	M          *Model
	Verdict    verify.Status
	ExitCode   int
	Throughput template.HTML
	Latency    template.HTML
	Timeline   template.HTML
	Credits    template.HTML // "" without disk credits
	Checks     []checkView
	Faults     []faultView
	Env        []Fact
	Config     []Fact
}

type checkView struct {
	verify.Verdict
	Evidence *EvidenceView // set for failed checks with evidence
}

type faultView struct {
	FaultWindow
	Evidence *EvidenceView
}

// WriteHTML writes report.html: one self-contained page (inline CSS and SVG,
// no script, nothing fetched) with the charts, verdicts, evidence, RPO/RTO
// windows, faults and environment of the run.
func WriteHTML(m *Model, w io.Writer) error {
	v := htmlView{
		M: m, Verdict: m.Verdict(), ExitCode: ExitCode(m.Verdict()),
		Throughput: throughputChart(m), Latency: latencyChart(m), Timeline: timelineChart(m),
		Credits: creditsChart(m),
	}
	for _, c := range m.Verdicts {
		cv := checkView{Verdict: c}
		if c.Status != verify.Valid && len(c.Evidence) > 0 {
			ev := viewEvidence(c.Evidence, checkEvidenceAt(c.Check), c.Artifacts...)
			cv.Evidence = &ev
		}
		v.Checks = append(v.Checks, cv)
	}
	for _, f := range m.Faults {
		fv := faultView{FaultWindow: f}
		if len(f.Evidence) > 0 {
			ev := viewEvidence(f.Evidence, fmt.Sprintf("%s, the effect event of fault %s", history.FileHistory, f.ID))
			fv.Evidence = &ev
		}
		v.Faults = append(v.Faults, fv)
	}
	v.Env, v.Config = environment(m)
	if err := reportTmpl.Execute(w, v); err != nil {
		return fmt.Errorf("write report.html: %w", err)
	}
	return nil
}

// checkEvidenceAt is where a check's evidence is stored.
func checkEvidenceAt(check string) string {
	return fmt.Sprintf("%s, check %s", history.FileVerdicts, check)
}

func environment(m *Model) (env, config []Fact) {
	if m.Meta == nil {
		return nil, nil
	}
	e := m.Meta.Environment
	for _, f := range []Fact{
		{"faultline", e.Faultline}, {"MariaDB", e.MariaDB}, {"Galera", e.Galera}, {"kernel", e.Kernel},
		{"Go", e.Go}, {"host", e.Host}, {"target", strings.TrimSpace(m.Meta.Target.Kind + " " + m.Meta.Target.Topology)},
		{"started", m.Meta.Started.UTC().Format("2006-01-02 15:04:05 MST")},
	} {
		if f.Value != "" {
			env = append(env, f)
		}
	}
	keys := make([]string, 0, len(m.Meta.Config))
	for k := range m.Meta.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		config = append(config, Fact{k, m.Meta.Config[k]})
	}
	return env, config
}
