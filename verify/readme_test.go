package verify

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The check tables of the READMEs say which checks run for which workload;
// they must say what ChecksFor says, every check once.
func TestREADMECheckTablesMatchChecksFor(t *testing.T) {
	for _, file := range []string{"README.md", "../README.md", "../scenarios/README.md"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rows := checkTable(string(b))
		if len(rows) == 0 {
			t.Errorf("%s: no table with columns check | workloads (or applies to)", file)
			continue
		}
		for _, c := range AllChecks() {
			got, ok := rows[c]
			if !ok {
				t.Errorf("%s: check %s missing from the table", file, c)
				continue
			}
			if want := workloadsOf(c); !slices.Equal(got, want) {
				t.Errorf("%s: check %s applies to %v, the table says %v", file, c, want, got)
			}
		}
	}
}

var backticked = regexp.MustCompile("`([^`]+)`")

// checkTable parses the first markdown table whose header starts with
// "check | workloads" or "check | applies to": check → sorted workloads
// ("all" expanded).
func checkTable(md string) map[string][]string {
	rows := map[string][]string{}
	in := false
	for _, line := range strings.Split(md, "\n") {
		cells := tableCells(line)
		switch {
		case len(cells) >= 2 && cells[0] == "check" && (cells[1] == "workloads" || cells[1] == "applies to"):
			in = true
		case in && len(cells) < 2:
			return rows
		case in && !strings.HasPrefix(cells[0], "---"):
			for _, m := range backticked.FindAllStringSubmatch(cells[0], -1) {
				rows[m[1]] = parseWorkloads(cells[1])
			}
		}
	}
	return rows
}

func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") {
		return nil
	}
	cells := strings.Split(strings.Trim(line, "|"), "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func parseWorkloads(cell string) []string {
	if cell == "all" {
		return Workloads()
	}
	var out []string
	for _, w := range strings.Split(cell, ",") {
		out = append(out, strings.Trim(strings.TrimSpace(w), "`"))
	}
	slices.Sort(out)
	return out
}

// workloadsOf is every workload a check runs for, sorted.
func workloadsOf(check string) []string {
	var out []string
	for _, w := range Workloads() {
		if slices.Contains(ChecksFor(w), check) {
			out = append(out, w)
		}
	}
	return out
}
