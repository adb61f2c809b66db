// Package runner executes a scenario's plan: target up or attach, schema
// setup, workload with probes, the fault timeline (guarded, effect-verified,
// recorded), abort conditions, heal everything, bounded convergence wait,
// final read, checkers and reports — all in one run directory. It is the
// only package that knows the order of things.
package runner
