package scenarios

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every ```yaml block of the READMEs is a scenario that validates and
// plans, unless it starts with "# fragment" (then it is only YAML, and
// cannot hold a whole scenario).
func TestREADMEScenariosValidateAndPlan(t *testing.T) {
	for _, file := range []string{"../README.md", "README.md"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		blocks := yamlBlocks(string(b))
		if len(blocks) == 0 {
			t.Errorf("%s: no yaml block", file)
		}
		for _, blk := range blocks {
			name := fmt.Sprintf("%s (yaml block at line %d)", file, blk.line)
			if strings.HasPrefix(blk.text, "# fragment\n") {
				var v any
				if err := yaml.Unmarshal([]byte(blk.text), &v); err != nil || strings.Contains(blk.text, "kind: Scenario") {
					t.Errorf("%s: a fragment must be YAML and not a whole scenario (err %v)", name, err)
				}
				continue
			}
			s, err := LoadBytes(name, []byte(blk.text))
			if err != nil {
				t.Errorf("%s: the README's scenario does not validate:\n%v", name, err)
				continue
			}
			if p := NewPlan(s, 1); len(p.Steps) != len(s.Spec.Faults) {
				t.Errorf("%s: planned %d steps of %d", name, len(p.Steps), len(s.Spec.Faults))
			}
		}
	}
}

type mdBlock struct {
	line int // of the opening fence
	text string
}

// yamlBlocks returns the ```yaml fenced blocks of a markdown text.
func yamlBlocks(md string) []mdBlock {
	var out []mdBlock
	var cur *mdBlock
	for i, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur = &mdBlock{line: i + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	return out
}
