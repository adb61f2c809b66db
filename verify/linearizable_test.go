package verify

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"faultline.dev/faultline/history"
)

func i64(v int64) *int64 { return &v }

func rRead(h *hist, p int, k int64, v *int64, call, ret float64) {
	h.op(p, "n1", "read", history.RegisterOp{K: k}, call, history.OK, history.RegisterOp{K: k, V: v}, ret)
}

func rWrite(h *hist, p int, k, v int64, call float64, typ history.Type, ret float64) {
	op := history.RegisterOp{K: k, V: i64(v)}
	h.op(p, "n1", "write", op, call, typ, op, ret)
}

func rCAS(h *hist, p int, k, old, new int64, call float64, typ history.Type, ret float64) {
	op := history.RegisterOp{K: k, Old: i64(old), New: i64(new)}
	h.op(p, "n1", "cas", op, call, typ, op, ret)
}

func checkLin(t *testing.T, h *hist, dir string) (Verdict, linEvidence) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v := Linearizable{}.Check(ctx, &Input{Events: h.events(), Dir: dir})
	return v, evidence[linEvidence](t, v)
}

func TestLinearizableSequential(t *testing.T) {
	h := &hist{}
	rRead(h, 0, 1, nil, 0, 1)
	rWrite(h, 0, 1, 5, 2, history.OK, 3)
	rCAS(h, 1, 1, 5, 6, 4, history.OK, 5)
	rCAS(h, 1, 1, 5, 7, 6, history.Fail, 7) // failed: dropped
	rRead(h, 0, 1, i64(6), 8, 9)
	v, ev := checkLin(t, h, t.TempDir())
	wantStatus(t, v, Valid)
	if ev.Operations != 4 || ev.Keys != 1 || len(v.Artifacts) != 0 {
		t.Fatalf("evidence %+v artifacts %v", ev, v.Artifacts)
	}
}

// A read that returns an overwritten value after the overwrite completed.
func TestLinearizableStaleReadWritesVisualization(t *testing.T) {
	h := &hist{}
	rWrite(h, 0, 1, 1, 0, history.OK, 1)
	rWrite(h, 0, 1, 2, 2, history.OK, 3)
	rRead(h, 1, 1, i64(1), 4, 5)
	rWrite(h, 2, 2, 9, 0, history.OK, 1) // key 2 is fine
	rRead(h, 2, 2, i64(9), 2, 3)
	dir := t.TempDir()
	v, ev := checkLin(t, h, dir)
	wantStatus(t, v, Invalid)
	if !slices.Equal(ev.FailedKeys, []int64{1}) {
		t.Fatalf("failed keys %v, want [1]", ev.FailedKeys)
	}
	if !slices.Equal(v.Artifacts, []string{ArtifactLinearizability}) {
		t.Fatalf("artifacts: %v", v.Artifacts)
	}
	if st, err := os.Stat(filepath.Join(dir, ArtifactLinearizability)); err != nil || st.Size() == 0 {
		t.Fatalf("visualization: %v", err)
	}
}

// An indeterminate write may take effect any time after its invoke: a read
// that first misses it and later sees it is linearizable.
func TestLinearizableIndeterminateWriteAppearsLater(t *testing.T) {
	h := &hist{}
	rWrite(h, 0, 1, 5, 0, history.Info, 1)
	rRead(h, 1, 1, nil, 2, 3)
	rRead(h, 1, 1, i64(5), 10, 11)
	rWrite(h, 2, 1, 7, 12, never, 0) // never completed
	rRead(h, 1, 1, i64(5), 13, 14)
	v, _ := checkLin(t, h, "")
	wantStatus(t, v, Valid)

	// But once seen, it cannot disappear.
	rRead(h, 1, 1, nil, 15, 16)
	v, _ = checkLin(t, h, "")
	wantStatus(t, v, Invalid)
}

func TestLinearizableIndeterminateCAS(t *testing.T) {
	h := &hist{}
	rWrite(h, 0, 1, 1, 0, history.OK, 1)
	rCAS(h, 0, 1, 1, 2, 2, history.Info, 3)
	rRead(h, 1, 1, i64(2), 4, 5)
	v, _ := checkLin(t, h, "")
	wantStatus(t, v, Valid)
	h = &hist{}
	rWrite(h, 0, 1, 3, 0, history.OK, 1)
	rCAS(h, 0, 1, 1, 2, 2, history.Info, 3) // cannot match: the value is 3
	rRead(h, 1, 1, i64(2), 4, 5)
	v, _ = checkLin(t, h, "")
	wantStatus(t, v, Invalid)
}

func TestLinearizableTimeoutIsUnknown(t *testing.T) {
	h := &hist{}
	rRead(h, 0, 1, nil, 0, 1)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	v := Linearizable{}.Check(ctx, &Input{Events: h.events()})
	wantStatus(t, v, Unknown)
}

// Registers created with an initial value: reading it before any write is
// linearizable only when the checker knows that value.
func TestLinearizableRegisterInitial(t *testing.T) {
	h := &hist{}
	rRead(h, 0, 1, i64(0), 0, 1)
	rWrite(h, 0, 1, 5, 2, history.OK, 3)
	rRead(h, 1, 1, i64(5), 4, 5)
	ctx := context.Background()
	zero := int64(0)
	if v := (Linearizable{}).Check(ctx, &Input{Events: h.events(), Dir: t.TempDir(), RegisterInitial: &zero}); v.Status != Valid {
		t.Fatalf("initial 0 known: %s %s", v.Status, v.Summary)
	}
	if v := (Linearizable{}).Check(ctx, &Input{Events: h.events(), Dir: t.TempDir()}); v.Status != Invalid {
		t.Fatalf("registers absent at start, yet a read of 0: %s %s", v.Status, v.Summary)
	}
}
