package injectors

import (
	"context"
	"errors"
	"fmt"
)

// Rebuilder rebuilds the fault a ledger record describes. A Registry is one
// (by kind and params); `faultline recover` uses one that first picks the
// provider of the record's target kind.
type Rebuilder interface {
	Rebuild(ctx context.Context, rec Record) (Fault, error)
}

// RecoverAll heals every fault the ledger holds for run runID ("" = every
// run): it rebuilds each fault from its record, recovers it and removes the
// record. It carries on past failures and returns the records it healed with
// the joined errors of the others, whose records stay for a later attempt.
// Leftovers of interrupted ledger writes are swept when the ledger can. This
// is what `faultline recover` runs after a crash; it must not run while the
// run it heals is still live.
func RecoverAll(ctx context.Context, l Ledger, b Rebuilder, runID string) ([]Record, error) {
	recs, listErr := l.List(runID)
	errs := []error{listErr}
	var healed []Record
	for _, rec := range recs {
		if err := recoverRecord(ctx, l, b, rec); err != nil {
			errs = append(errs, err)
			continue
		}
		healed = append(healed, rec)
	}
	if s, ok := l.(Sweeper); ok {
		errs = append(errs, s.Sweep(runID))
	}
	return healed, errors.Join(errs...)
}

func recoverRecord(ctx context.Context, l Ledger, b Rebuilder, rec Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("recover %s %s/%s: %w", rec.Kind, rec.RunID, rec.ID, err)
	}
	f, err := b.Rebuild(ctx, rec)
	if err != nil {
		return fmt.Errorf("recover %s/%s: %w", rec.RunID, rec.ID, err)
	}
	if err := f.Recover(ctx); err != nil {
		return fmt.Errorf("recover %s %s/%s: %w", rec.Kind, rec.RunID, rec.ID, err)
	}
	return l.Remove(rec.RunID, rec.ID)
}
