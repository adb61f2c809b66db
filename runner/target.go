package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/reports"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets/local"
)

// Version is faultline's version, recorded in run.json.
var Version = "dev"

// LocalConfig is the lab configuration of a scenario's local target.
func LocalConfig(s *scenarios.Scenario, stateDir string) local.Config {
	lt := s.Spec.Target.Local
	return local.Config{
		Name:            scenarios.LabName(s),
		Topology:        lt.Topology,
		Nodes:           lt.Nodes,
		Zones:           lt.Zones,
		Subnet:          lt.Subnet,
		ServerOptions:   lt.ServerOptions,
		NodeOptions:     lt.NodeOptions,
		ProviderOptions: lt.ProviderOptions,
		SemiSync:        lt.SemiSync == nil || *lt.SemiSync,
		SemiSyncTimeout: lt.SemiSyncTimeout.D(),
		Faketime:        lt.Faketime == nil || *lt.Faketime,
		DiskFaults:      lt.DiskFaults,
		DiskSize:        int64(lt.DiskSize),
		StateDir:        stateDir,
	}
}

// up brings the target up (the local lab) and waits until it is healthy.
func (r *run) up(ctx context.Context) error {
	if r.scn.Spec.Target.Local == nil {
		return fmt.Errorf("target: only local targets can be run by this build (kubernetes targets are validated but not driven yet)")
	}
	cfg := LocalConfig(r.scn, r.o.StateDir)
	r.progress.Logf("lab %s: bringing up %d-node %s", cfg.Name, cfg.Nodes, cfg.Topology)
	start := time.Now()
	lab, err := local.Up(ctx, cfg)
	if err != nil {
		return fmt.Errorf("lab up: %w", err)
	}
	r.target = lab
	r.teardown = lab.Down
	r.progress.Logf("lab %s: up in %.1fs", cfg.Name, time.Since(start).Seconds())
	r.meta.Target.Nodes = r.meta.Target.Nodes[:0]
	for _, n := range lab.Nodes() {
		r.meta.Target.Nodes = append(r.meta.Target.Nodes, reports.MetaNode{Name: n.Name, Zone: n.Zone})
	}
	return reports.WriteRunMeta(r.dir, r.meta)
}

func (r *run) collectLogs() {
	lab, ok := r.target.(*local.Lab)
	if !ok || lab == nil {
		return
	}
	if err := lab.Logs(filepath.Join(r.dir, history.DirLogs)); err != nil {
		r.progress.Logf("collect logs: %v", err)
	}
}

func (r *run) tearDown(ctx context.Context) {
	if r.teardown == nil {
		return
	}
	if r.o.Keep {
		if lab, ok := r.target.(*local.Lab); ok {
			r.progress.Logf("lab %s kept (--keep); remove it with: faultline lab down %s\n%s", lab.Name(), lab.Name(), lab.ConnectInfo())
		}
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := r.teardown(ctx); err != nil {
		r.progress.Logf("lab down: %v (run `faultline lab down --all`)", err)
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
	if lt := s.Spec.Target.Local; lt != nil {
		m.Target = reports.MetaTarget{Kind: "local", Topology: lt.Topology}
		for k, v := range lt.ServerOptions {
			m.Config[k] = v
		}
		for k, v := range lt.ProviderOptions {
			m.Config["wsrep_provider_options."+k] = v
		}
	} else {
		m.Target = reports.MetaTarget{Kind: "kubernetes"}
	}
	return m
}

func environment() reports.MetaEnv {
	env := reports.MetaEnv{Faultline: Version, Go: runtime.Version()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		env.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	env.Host, _ = os.Hostname()
	if out, err := exec.Command("mariadbd", "--version").Output(); err == nil {
		env.MariaDB = strings.TrimSpace(string(out))
	} else if out, err := exec.Command("/usr/sbin/mariadbd", "--version").Output(); err == nil {
		env.MariaDB = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "galera-4").Output(); err == nil {
		env.Galera = "galera-4 " + strings.TrimSpace(string(out))
	}
	return env
}
