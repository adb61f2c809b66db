package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"faultline.dev/faultline/verify"
)

// JUnit XML, in the subset CI systems read (Jenkins/Surefire schema).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *junitText      `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitSkipped marks a case that asserted nothing: a measurement without a
// threshold. CI views show it as skipped, neither passed nor failed.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// junitText is element text kept readable (CDATA keeps its newlines).
type junitText struct {
	Text string `xml:",cdata"`
}

func text(s string) *junitText { return &junitText{s} }

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

func junitSeconds(ns int64) string { return fmt.Sprintf("%.3f", float64(ns)/1e9) }

// WriteJUnit writes junit.xml: one testsuite for the scenario, one testcase
// per check (invalid → failure, unknown → error, measured → skipped; the
// check's RPO/RTO windows, one per line, in its text) and per fault's effect
// (no effect → failure, inject error → error). A partial run adds a
// "run complete" case in error, so CI never shows a partial run as green.
func WriteJUnit(m *Model, w io.Writer) error {
	s := junitSuite{Name: m.Scenario, Time: junitSeconds(m.End), Properties: junitProps(m)}
	if m.Meta != nil {
		s.Timestamp = m.Meta.Started.UTC().Format(time.RFC3339)
		s.Hostname = m.Meta.Environment.Host
	}
	if m.Partial {
		s.Cases = append(s.Cases, junitCase{Name: "run complete", Classname: "faultline." + m.Scenario, Time: junitSeconds(m.End),
			Error: &junitProblem{Message: "partial run", Type: "partial", Text: strings.Join(m.PartialReasons, "\n")}})
	}
	for _, v := range m.Verdicts {
		s.Cases = append(s.Cases, checkCase(m.Scenario, v))
	}
	for _, f := range m.Faults {
		s.Cases = append(s.Cases, faultCase(m.Scenario, f))
	}
	for _, c := range s.Cases {
		s.Tests++
		if c.Failure != nil {
			s.Failures++
		}
		if c.Error != nil {
			s.Errors++
		}
		if c.Skipped != nil {
			s.Skipped++
		}
	}
	doc := junitSuites{Name: "faultline", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Skipped: s.Skipped,
		Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitProps(m *Model) []junitProperty {
	v := m.Verdict()
	return []junitProperty{
		{"runId", m.RunID}, {"seed", fmt.Sprint(m.Seed)}, {"verdict", string(v)},
		{"exitCode", fmt.Sprint(ExitCode(v))}, {"partial", fmt.Sprint(m.Partial)},
	}
}

func checkCase(scenario string, v verify.Verdict) junitCase {
	c := junitCase{Name: v.Check, Classname: "faultline." + scenario + ".checks", Time: "0"}
	body := v.Summary + junitWindows(v.Windows)
	if len(v.Evidence) > 0 {
		body += "\n\nevidence:\n" + prettyJSON(v.Evidence)
	}
	switch v.Status {
	case verify.Invalid:
		c.Failure = &junitProblem{Message: v.Summary, Type: string(v.Status), Text: body}
	case verify.Valid:
		c.SystemOut = text(body)
	case verify.Measured:
		c.Skipped = &junitSkipped{Message: "measured, no threshold: " + v.Summary}
		c.SystemOut = text(body)
	default:
		c.Error = &junitProblem{Message: v.Summary, Type: string(verify.Unknown), Text: body}
	}
	return c
}

// junitWindows lists a check's windows, one line each.
func junitWindows(ws []verify.Window) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nwindows:")
	for _, w := range ws {
		fmt.Fprintf(&b, "\n%s %s %s: %s (threshold %s) %s", w.Fault, w.Kind, w.Metric, fmtWindowValue(w), fmtThreshold(w.Threshold), w.Status)
		if w.Note != "" {
			b.WriteString(" — " + w.Note)
		}
	}
	return b.String()
}

func faultCase(scenario string, f FaultWindow) junitCase {
	name := fmt.Sprintf("%s %s effect", f.ID, f.Kind)
	c := junitCase{Name: name, Classname: "faultline." + scenario + ".faults", Time: junitSeconds(f.End - f.Start)}
	msg := f.Summary
	if msg == "" {
		msg = string(f.Effect)
	}
	detail := fmt.Sprintf("targets: %s\nat %s, healed: %s\n", strings.Join(f.Targets, ", "), fmtAt(f.Start), fmtHeal(f))
	if len(f.Evidence) > 0 {
		detail += "evidence:\n" + prettyJSON(f.Evidence)
	}
	switch f.Effect {
	case EffectNoEffect:
		c.Failure = &junitProblem{Message: msg, Type: string(f.Effect), Text: detail}
	case EffectError:
		c.Error = &junitProblem{Message: msg, Type: string(f.Effect), Text: detail}
	default:
		c.SystemOut = text(string(f.Effect) + ": " + detail)
	}
	return c
}
