package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/internal/buildinfo"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// provider is the provider of the scenario's target kind.
func providerFor(ps targets.Providers, s *scenarios.Scenario) (targets.Provider, error) {
	kind := s.Spec.Target.Kind()
	if ps == nil {
		return nil, fmt.Errorf("target %s: no target providers given", kind)
	}
	p, ok := ps.Provider(kind)
	if !ok {
		return nil, fmt.Errorf("target %s: this build has no provider for it", kind)
	}
	return p, nil
}

// up brings the target up (or attaches to it) through its provider and
// records its nodes and the versions its servers report.
func (r *run) up(ctx context.Context) error {
	sess, err := r.provider.Open(ctx, r.scn, targets.OpenOptions{StateDir: r.o.StateDir, Logf: r.progress.Logf})
	if err != nil {
		return err
	}
	r.target = sess
	r.meta.Target.Nodes = r.meta.Target.Nodes[:0]
	for _, n := range sess.Nodes() {
		r.meta.Target.Nodes = append(r.meta.Target.Nodes, reports.MetaNode{Name: n.Name, Zone: n.Zone})
	}
	v := sess.Versions(ctx)
	r.meta.Environment.MariaDB, r.meta.Environment.Galera = v.MariaDB, v.Galera
	return reports.WriteRunMeta(r.dir, r.meta)
}

func (r *run) collectLogs(ctx context.Context) {
	if r.target == nil {
		return
	}
	if err := r.target.CollectLogs(ctx, filepath.Join(r.dir, history.DirLogs)); err != nil {
		r.progress.Logf("collect logs: %v", err)
	}
}

func (r *run) tearDown(ctx context.Context) {
	if r.target == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	note, err := r.target.Close(ctx, r.o.Keep)
	if err != nil {
		r.progress.Logf("%v", err)
	}
	if note != "" {
		r.progress.Logf("%s", note)
	}
}

func newMeta(r *run) *reports.RunMeta {
	s := r.scn
	m := &reports.RunMeta{
		Scenario:        s.Metadata.Name,
		RunID:           r.id,
		Seed:            r.seed,
		Started:         time.Now().UTC(),
		DurationSeconds: s.Spec.Workload.Duration.D().Seconds(),
		Environment:     environment(),
		Config:          map[string]string{},
	}
	m.Target = reports.MetaTarget{Kind: s.Spec.Target.Kind(), Topology: s.Spec.Target.Topology()}
	if lt := s.Spec.Target.Local; lt != nil {
		for k, v := range lt.ServerOptions {
			m.Config[k] = v
		}
		for k, v := range lt.ProviderOptions {
			m.Config["wsrep_provider_options."+k] = v
		}
	}
	return m
}

// environment describes the harness host; the cluster's own versions are
// asked of its servers once it is up.
func environment() reports.MetaEnv {
	env := reports.MetaEnv{Faultline: buildinfo.Version(), Go: runtime.Version()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		env.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	env.Host, _ = os.Hostname()
	return env
}
