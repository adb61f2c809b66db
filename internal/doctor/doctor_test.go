package doctor

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestEveryFamilyIsReported(t *testing.T) {
	cs := Run(Check{Family: "network", Name: "netem", OK: false, Detail: "no sch_netem"})
	fam := map[string]bool{}
	for _, c := range cs {
		if c.Name == "" || c.Detail == "" {
			t.Errorf("check without name or detail: %+v", c)
		}
		fam[c.Family] = true
	}
	for _, f := range []string{"host", "network", "clock", "disk", "process", "lab", "kubernetes"} {
		if !fam[f] {
			t.Errorf("family %s not reported", f)
		}
	}
	var b bytes.Buffer
	Write(&b, cs)
	if !strings.Contains(b.String(), "✗  network     netem") {
		t.Errorf("a missing capability is not marked ✗:\n%s", b.String())
	}
}

func TestMissingPiecesSayWhy(t *testing.T) {
	old := FaketimeLib
	defer func() { FaketimeLib = old }()
	FaketimeLib = filepath.Join(t.TempDir(), "nope.so")
	c := checkFaketime()
	if c.OK || !strings.Contains(c.Detail, "apt-get install faketime") {
		t.Fatalf("%+v", c)
	}
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	if k := checkKubeconfig(); k.OK || !strings.Contains(k.Detail, "no kubeconfig") {
		t.Fatalf("%+v", k)
	}
}
