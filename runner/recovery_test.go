package runner

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios"
)

// waitingFault is a fake fault whose target takes time to come back.
type waitingFault struct {
	fakeFault
	waited int
	err    error
}

func (f *waitingFault) WaitRecovered(context.Context) error { f.waited++; return f.err }

// After a heal the runner waits for a fault that says its target needs
// time to come back, and says how it went; other faults are not waited for.
func TestHealAwaitsRecoveryOfFaultsThatNeedIt(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "target recovered"},
		{errors.New("pods still Pending"), "target not recovered after"},
	} {
		var out bytes.Buffer
		r := &run{progress: NewProgress(&out, false)}
		f := &waitingFault{err: c.err}
		r.awaitRecovery(context.Background(), &stepGuard{step: scenarios.PlannedStep{ID: "step-1", Kind: "kill"}, fault: f})
		if f.waited != 1 || !strings.Contains(out.String(), c.want) {
			t.Errorf("waited %d times, logged %q; want one wait and %q", f.waited, out.String(), c.want)
		}
	}
	var out bytes.Buffer
	r := &run{progress: NewProgress(&out, false)}
	r.awaitRecovery(context.Background(), &stepGuard{step: scenarios.PlannedStep{ID: "step-1", Kind: "kill"}, fault: &fakeFault{}})
	if out.Len() != 0 {
		t.Errorf("a fault without RecoveryWaiter was waited for: %q", out.String())
	}
}
