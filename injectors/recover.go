package injectors

import (
	"context"
	"errors"
	"fmt"
)

// RecoverAll heals every fault the ledger holds for run runID ("" = every
// run): it rebuilds each fault from its kind and params, recovers it and
// removes its record. It carries on past failures and returns the records
// it healed with the joined errors of the others, whose records stay for a
// later attempt. Temp files of interrupted ledger writes are swept. This is
// what `faultline recover` runs after a crash; it must not run while the run
// it heals is still live.
func RecoverAll(ctx context.Context, l *Ledger, reg *Registry, runID string) ([]Record, error) {
	recs, listErr := l.List(runID)
	errs := []error{listErr}
	var healed []Record
	for _, rec := range recs {
		if err := recoverRecord(ctx, l, reg, rec); err != nil {
			errs = append(errs, err)
			continue
		}
		healed = append(healed, rec)
	}
	errs = append(errs, l.sweep(runID))
	return healed, errors.Join(errs...)
}

func recoverRecord(ctx context.Context, l *Ledger, reg *Registry, rec Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("recover %s %s/%s: %w", rec.Kind, rec.RunID, rec.ID, err)
	}
	f, err := reg.Build(rec.Kind, rec.Params)
	if err != nil {
		return fmt.Errorf("recover %s/%s: %w", rec.RunID, rec.ID, err)
	}
	if err := f.Recover(ctx); err != nil {
		return fmt.Errorf("recover %s %s/%s: %w", rec.Kind, rec.RunID, rec.ID, err)
	}
	return l.Remove(rec.RunID, rec.ID)
}
