package doctor

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestEveryFamilyIsReported(t *testing.T) {
	cs := Run(context.Background())
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
	Write(&b, append(cs, Check{Family: "network", Name: "netem", OK: false, Detail: "no sch_netem"}))
	if !strings.Contains(b.String(), "✗  network     netem") {
		t.Errorf("a missing capability is not marked ✗:\n%s", b.String())
	}
}

func TestMissingPiecesSayWhy(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	if k := checkKubeconfig(); k.OK || !strings.Contains(k.Detail, "no kubeconfig") {
		t.Fatalf("%+v", k)
	}
}
