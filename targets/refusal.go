package targets

import "errors"

// Refusal is an error of a target that must not be touched — a Kubernetes
// namespace not opted in to chaos, a reserved namespace, no context named —
// returned before anything was written anywhere. The runner keeps no run
// directory for it and renders no report: there was no run.
type Refusal struct{ Err error }

// Refuse marks err as a refusal.
func Refuse(err error) error { return &Refusal{Err: err} }

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// IsRefusal reports whether err is, or wraps, a Refusal.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}
