package all

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// fastEVS makes Galera notice a partition in about 3 s.
var fastEVS = map[string]string{
	"evs.suspect_timeout": "PT2S", "evs.inactive_timeout": "PT4S", "evs.inactive_check_period": "PT0.5S",
	"evs.keepalive_period": "PT0.5S", "evs.install_timeout": "PT4S",
}

type labFixture struct {
	lab *local.Lab
	env Env
	reg *injectors.Registry
	run string
}

// TestIntegrationFaultsOnGalera injects every fault kind into one shared
// 3-node Galera lab, proves its effect, heals it (half of them through the
// registry, as `faultline recover` does) and checks the cluster is healthy
// and nothing is left behind.
func TestIntegrationFaultsOnGalera(t *testing.T) {
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 3, Faketime: true, ProviderOptions: fastEVS})
	env := Env{StateDir: local.StateDir(""), Open: func(_ context.Context, name, dir string) (targets.Machine, error) {
		return local.Open(name, dir)
	}}
	fx := &labFixture{lab: lab, env: env, reg: NewRegistry(env), run: "it" + lab.Name()}
	mustExec(t, lab, "n1", "CREATE DATABASE IF NOT EXISTS itest", "CREATE TABLE IF NOT EXISTS itest.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")

	t.Run("partition minority refuses writes", fx.partition)
	t.Run("clock skew +1h", fx.clockSkew)
	t.Run("disk throttle slows commits", fx.diskThrottle)
	t.Run("pause", fx.pause)
	t.Run("kill rejoins", fx.kill)
	t.Run("latency", fx.latency)
	t.Run("bandwidth", fx.bandwidth)
	t.Run("zone drain", fx.azDrain)
	t.Run("restart", fx.restart)
}

// inject builds a fault the way the runner does, injects it and returns it
// with its verified evidence.
func (fx *labFixture) inject(t *testing.T, kind, params string, nodes ...string) (injectors.Fault, injectors.Evidence) {
	t.Helper()
	ctx := t.Context()
	f, err := New(ctx, kind, json.RawMessage(params), fx.lab, nodes, fx.run, fx.env)
	if err != nil {
		t.Fatalf("build %s: %v", kind, err)
	}
	if err := f.Inject(ctx); err != nil {
		f.Recover(context.WithoutCancel(ctx))
		t.Fatalf("inject %s: %v", kind, err)
	}
	ev, err := f.(injectors.Verifier).Verify(ctx)
	if err != nil || !ev.Held {
		fx.heal(t, f, false)
		t.Fatalf("verify %s: held=%v err=%v: %s %s", kind, ev.Held, err, ev.Summary, ev.Data)
	}
	t.Logf("%s: %s", kind, ev.Summary)
	return f, ev
}

// heal recovers f (rebuilt from its params when fromLedger) and checks the
// cluster is healthy and clean again.
func (fx *labFixture) heal(t *testing.T, f injectors.Fault, fromLedger bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 90*time.Second)
	defer cancel()
	if fromLedger {
		g, err := fx.reg.Build(f.Kind(), f.Params())
		if err != nil {
			t.Fatalf("rebuild %s: %v", f.Kind(), err)
		}
		f = g
	}
	if err := f.Recover(ctx); err != nil {
		t.Fatalf("recover %s: %v", f.Kind(), err)
	}
	if err := fx.lab.WaitHealthy(ctx); err != nil {
		t.Fatalf("after %s: %v", f.Kind(), err)
	}
	left, err := Leftovers(ctx, fx.run, fx.lab)
	if err != nil || len(left) > 0 {
		t.Fatalf("after %s: leftovers %v %v", f.Kind(), left, err)
	}
}

// expectLeft checks the audit finds what an injected fault left, by tag alone.
func (fx *labFixture) expectLeft(t *testing.T, want string) {
	t.Helper()
	left, err := Leftovers(t.Context(), "", fx.lab)
	if err != nil || !strings.Contains(strings.Join(left, "\n"), want) {
		t.Errorf("leftovers while injected: %v %v, want one with %q", left, err, want)
	}
}

func (fx *labFixture) partition(t *testing.T) {
	f, _ := fx.inject(t, "partition", `{"shape":"majority-minority"}`, "n3")
	defer fx.heal(t, f, true)
	fx.expectLeft(t, "n3: faultline route blackhole")
	n3, _ := targets.NodeByName(fx.lab, "n3")
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := insert(t.Context(), n3)
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1047 {
			t.Logf("n3 refuses writes: %v", err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("n3 still accepts writes 15 s into the partition (last: %v)", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if p := fx.lab.Probe(t.Context(), "n3"); p.ClusterStatus == "Primary" {
		t.Errorf("n3 probe: %+v", p)
	}
}

func (fx *labFixture) clockSkew(t *testing.T) {
	f, _ := fx.inject(t, "clockSkew", `{"offset":"1h"}`, "n2")
	fx.expectLeft(t, "n2: faketime offset +3600")
	fx.heal(t, f, false)
}

func (fx *labFixture) diskThrottle(t *testing.T) {
	n1, _ := targets.NodeByName(fx.lab, "n1")
	before := commitLatency(t, n1)
	f, _ := fx.inject(t, "diskThrottle", `{"writeIops":20}`, "n1")
	fx.expectLeft(t, "cgroup /sys/fs/cgroup/blkio/faultline-"+fx.run+"-n1")
	during := commitLatency(t, n1)
	fx.heal(t, f, true)
	t.Logf("commit p50: %v before, %v under 20 write IOPS", before, during)
	if during < 3*before || during < 10*time.Millisecond {
		t.Errorf("commits not slowed: %v before, %v during", before, during)
	}
}

func (fx *labFixture) pause(t *testing.T) {
	f, _ := fx.inject(t, "pause", `{}`, "n2")
	fx.expectLeft(t, "is stopped (SIGSTOP)")
	fx.heal(t, f, true)
}

func (fx *labFixture) kill(t *testing.T) {
	f, _ := fx.inject(t, "kill", `{}`, "n3")
	fx.heal(t, f, true)
}

func (fx *labFixture) latency(t *testing.T) {
	f, _ := fx.inject(t, "latency", `{"delay":"50ms","jitter":"5ms"}`, "n2")
	fx.expectLeft(t, "n2: iptables rule")
	fx.heal(t, f, false) // the consumer lives in this fault value
}

func (fx *labFixture) bandwidth(t *testing.T) {
	f, _ := fx.inject(t, "bandwidth", `{"rate":"1MiB","direction":"both"}`, "n1")
	fx.expectLeft(t, "n1: tbf qdisc")
	fx.heal(t, f, true)
}

func (fx *labFixture) azDrain(t *testing.T) {
	f, _ := fx.inject(t, "azDrain", `{"zone":"c"}`)
	fx.heal(t, f, true)
}

func (fx *labFixture) restart(t *testing.T) {
	f, _ := fx.inject(t, "restart", `{}`, "n1")
	fx.heal(t, f, true)
}

func insert(ctx context.Context, n targets.Node) error {
	db, err := sql.Open("mysql", n.DSN("itest", 2*time.Second))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "INSERT INTO t (v) VALUES (1)")
	return err
}

// commitLatency is the median of 7 autocommit INSERTs on n.
func commitLatency(t *testing.T, n targets.Node) time.Duration {
	db, err := sql.Open("mysql", n.DSN("itest", 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := db.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for range 7 {
		t0 := time.Now()
		if _, err := db.ExecContext(t.Context(), "INSERT INTO t (v) VALUES (2)"); err != nil {
			t.Fatalf("insert on %s: %v", n.Name, err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	return lat[len(lat)/2]
}

func mustExec(t *testing.T, lab *local.Lab, node string, stmts ...string) {
	n, _ := targets.NodeByName(lab, node)
	db, err := sql.Open("mysql", n.DSN("", 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", strings.Fields(s)[0], err)
		}
	}
}
