package kind

import (
	"fmt"

	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/log"
)

// provider is kind's Docker provider, logging through logf (nil: quiet).
func provider(logf func(string, ...any)) *cluster.Provider {
	if logf == nil {
		return cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(log.NoopLogger{}))
	}
	return cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(logger{logf}))
}

// logger adapts a printf-like function to kind's log.Logger: warnings,
// errors and level-0 information go through; verbose levels are dropped.
type logger struct{ logf func(string, ...any) }

var _ log.Logger = logger{}

func (l logger) Warn(message string)               { l.logf("kind: warning: %s", message) }
func (l logger) Warnf(format string, args ...any)  { l.Warn(fmt.Sprintf(format, args...)) }
func (l logger) Error(message string)              { l.logf("kind: error: %s", message) }
func (l logger) Errorf(format string, args ...any) { l.Error(fmt.Sprintf(format, args...)) }
func (l logger) V(level log.Level) log.InfoLogger  { return infoLogger{l.logf, level == 0} }

type infoLogger struct {
	logf    func(string, ...any)
	enabled bool
}

func (i infoLogger) Info(message string) {
	if i.enabled {
		i.logf("kind: %s", message)
	}
}
func (i infoLogger) Infof(format string, args ...any) { i.Info(fmt.Sprintf(format, args...)) }
func (i infoLogger) Enabled() bool                    { return i.enabled }
