package providers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"faultline.dev/faultline/injectors/process"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/kube"
)

type fakePreflight struct {
	fs  []kube.Finding
	err error
}

func (fakePreflight) Name() string { return "kind-x/db/galera" }
func (f fakePreflight) Preflight(context.Context) ([]kube.Finding, error) {
	return f.fs, f.err
}

// Findings are warnings in a run, and a refusal naming each of them when
// strict; a target the pre-flight cannot check runs, unless strict.
func TestPreflightGate(t *testing.T) {
	finding := kube.Finding{Object: "statefulset/galera", Field: "spec.replicas", Message: "2 replicas"}
	for _, tc := range []struct {
		name    string
		pf      fakePreflight
		strict  bool
		refused string // "" = runs
		warned  string
	}{
		{"clean", fakePreflight{}, true, "", ""},
		{"findings warn", fakePreflight{fs: []kube.Finding{finding}}, false, "", "warning: pre-flight: statefulset/galera spec.replicas: 2 replicas"},
		{"findings refused when strict", fakePreflight{fs: []kube.Finding{finding}}, true, "pre-flight found 1 problem(s)", "warning: pre-flight: statefulset/galera spec.replicas: 2 replicas"},
		{"unchecked warns", fakePreflight{err: errors.New("needs a StatefulSet target")}, false, "", "pre-flight not run: needs a StatefulSet target"},
		{"unchecked refused when strict", fakePreflight{err: errors.New("needs a StatefulSet target")}, true, "needs a StatefulSet target", ""},
	} {
		var log []string
		o := targets.OpenOptions{Logf: func(f string, a ...any) { log = append(log, fmt.Sprintf(f, a...)) }}
		err := preflightGate(t.Context(), tc.pf, tc.strict, o)
		switch {
		case tc.refused == "" && err != nil, tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
			t.Errorf("%s: %v, want refused %q", tc.name, err, tc.refused)
		case tc.refused != "" && len(tc.pf.fs) > 0 && !strings.Contains(err.Error(), finding.String()):
			t.Errorf("%s: the refusal does not list the finding: %v", tc.name, err)
		case !strings.Contains(strings.Join(log, "\n"), tc.warned):
			t.Errorf("%s: log %q, want %q", tc.name, log, tc.warned)
		}
	}
}

// promote is a Kubernetes fault kind: validation accepts it on a
// Kubernetes replication target, it is a one-shot action, and its ledger
// record rebuilds into a fault whose recovery does nothing.
func TestKubePromote(t *testing.T) {
	faults := Kube{}.Faults("")
	if !slices.Contains(faults.Kinds(), process.KindPromote) {
		t.Fatalf("kubernetes fault kinds %v lack promote", faults.Kinds())
	}
	if life, ok := faults.Lifecycle(process.KindPromote); !ok || !life.OneShot {
		t.Errorf("promote lifecycle = %+v, %v; want one-shot", life, ok)
	}
	f := process.NewPromote("r1", "ctx/fl-repl/mariadb", nil, "mariadb-1")
	again, err := faults.Registry.Build(process.KindPromote, f.Params())
	if err != nil {
		t.Fatal(err)
	}
	if again.Kind() != process.KindPromote || again.Recover(t.Context()) != nil {
		t.Errorf("rebuilt %s: recover must be a no-op", again.Kind())
	}
}
