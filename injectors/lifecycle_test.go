package injectors

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func newTestGuard(t *testing.T) (*Guard, *fakeFault, *FileLedger) {
	t.Helper()
	l, err := OpenLedger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newFake("a")
	return NewGuard(l, "run-1", "step-1", []string{"n2"}, f), f, l
}

func TestGuardLifecycle(t *testing.T) {
	g, f, l := newTestGuard(t)
	ctx := context.Background()
	_, err := g.Verify(ctx)
	if !errors.Is(err, ErrIllegal) || !strings.Contains(err.Error(), "state pending") ||
		!strings.Contains(err.Error(), "fake step-1 on n2") {
		t.Fatalf("verify when pending: %v", err)
	}
	if err := g.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	recs, _ := l.List("run-1")
	if len(recs) != 1 || recs[0].State != Injected || recs[0].Kind != "fake" ||
		string(recs[0].Params) != `{"name":"a"}` || recs[0].Created.IsZero() {
		t.Fatalf("record after inject: %+v", recs)
	}
	if ev, err := g.Verify(ctx); err != nil || !ev.Held {
		t.Fatalf("verify: %+v, %v", ev, err)
	}
	if err := g.Recover(ctx); err != nil || g.State() != Recovered || f.effect {
		t.Fatalf("recover: %v, state %s", err, g.State())
	}
	if err := g.Recover(ctx); err != nil || f.calls["recover"] != 1 {
		t.Fatalf("second recover: %v, %d calls", err, f.calls["recover"])
	}
	if recs, _ := l.List(""); len(recs) != 0 {
		t.Fatalf("records after recover: %+v", recs)
	}
}

func TestGuardVerifyErrorFails(t *testing.T) {
	g, f, _ := newTestGuard(t)
	ctx := context.Background()
	g.Inject(ctx)
	f.failNext = true
	if _, err := g.Verify(ctx); !errors.Is(err, errForced) || g.State() != Failed {
		t.Fatalf("verify error: %v, state %s", err, g.State())
	}
	if err := g.Inject(ctx); !errors.Is(err, ErrIllegal) {
		t.Fatalf("inject when failed: %v", err)
	}
	if err := g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestGuardNoVerifier(t *testing.T) {
	l, _ := OpenLedger(t.TempDir())
	g := NewGuard(l, "r", "s", nil, struct{ Fault }{newFake("x")})
	g.Inject(context.Background())
	if _, err := g.Verify(context.Background()); !errors.Is(err, ErrNoVerifier) || g.State() != Injected {
		t.Fatalf("verify without verifier: %v, state %s", err, g.State())
	}
}

// ctxFault records whether Recover saw a live context.
type ctxFault struct {
	fakeFault
	recoverErr error
}

func (f *ctxFault) Recover(ctx context.Context) error {
	f.recoverErr = ctx.Err()
	if _, ok := ctx.Deadline(); !ok {
		f.recoverErr = errors.New("no deadline")
	}
	return nil
}

func TestGuardRecoverDetached(t *testing.T) {
	l, _ := OpenLedger(t.TempDir())
	f := &ctxFault{fakeFault: *newFake("x")}
	g := NewGuard(l, "r", "s", nil, f)
	ctx, cancel := context.WithCancel(context.Background())
	g.Inject(ctx)
	cancel()
	if err := g.RecoverDetached(ctx, time.Minute); err != nil || f.recoverErr != nil {
		t.Fatalf("detached recover: %v, fault saw %v", err, f.recoverErr)
	}
}

func TestRecoverAllContinuesPastErrors(t *testing.T) {
	l, _ := OpenLedger(t.TempDir())
	reg := testRegistry()
	l.Put(Record{RunID: "r1", ID: "a", Kind: "fake", Params: json.RawMessage(`{"Name":"a"}`)})
	l.Put(Record{RunID: "r1", ID: "b", Kind: "gone", Params: json.RawMessage(`{}`)})
	l.Put(Record{RunID: "r2", ID: "c", Kind: "touchfile", Params: json.RawMessage(`{"path":"` + t.TempDir() + `/m"}`)})
	healed, err := RecoverAll(context.Background(), l, reg, "r1")
	if len(healed) != 1 || healed[0].ID != "a" || err == nil || !strings.Contains(err.Error(), `"gone"`) {
		t.Fatalf("healed %+v, err %v", healed, err)
	}
	left, _ := l.List("")
	if len(left) != 2 {
		t.Fatalf("left %+v", left)
	}
	if healed, err := RecoverAll(context.Background(), l, reg, "r2"); err != nil || len(healed) != 1 {
		t.Fatalf("r2: %+v, %v", healed, err)
	}
}

func TestGuardCompleteClosesOneShotWithoutRecover(t *testing.T) {
	g, f, l := newTestGuard(t)
	if err := g.Complete(); !errors.Is(err, ErrIllegal) {
		t.Fatalf("complete when pending: %v", err)
	}
	g.On(TargetRef{Kind: "local", Name: "lab1", StateDir: "/s"})
	if err := g.Inject(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs, _ := l.List("run-1")
	if len(recs) != 1 || recs[0].Target.Name != "lab1" || recs[0].Target.Kind != "local" {
		t.Fatalf("record does not name its target: %+v", recs)
	}
	if err := g.Complete(); err != nil || g.State() != Recovered {
		t.Fatalf("complete: %v, state %s", err, g.State())
	}
	if f.calls["recover"] != 0 || !f.effect {
		t.Fatalf("complete called Recover (%d calls) or undid the action", f.calls["recover"])
	}
	if recs, _ := l.List(""); len(recs) != 0 {
		t.Fatalf("records after complete: %+v", recs)
	}
}
