package all

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/clock"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
	"faultline.dev/faultline/targets/local/localtest"
)

// TestIntegrationClockDriftOnGalera drifts a Galera node's clock by
// 5000ppm: it leaves true time without a jump (although mariadbd has been
// running for a while), walks away at the requested rate as measured from
// outside, and recovery puts it back on true time, where it stays.
func TestIntegrationClockDriftOnGalera(t *testing.T) {
	lab := localtest.TestLab(t, local.Config{Topology: local.Galera, Nodes: 2, Faketime: true, ProviderOptions: fastEVS})
	env := Env{StateDir: local.StateDir(""), Open: func(_ context.Context, name, dir string) (targets.Machine, error) {
		return local.Open(name, dir)
	}}
	fx := &labFixture{lab: lab, env: env, reg: NewRegistry(env), run: "it" + lab.Name()}
	n2, _ := targets.NodeByName(lab, "n2")
	time.Sleep(10 * time.Second) // mariadbd's age: uncompensated, 5000ppm would jump the clock ≥ 50 ms

	f, ev := fx.inject(t, "clockSkew", `{"offset":"0s","drift":"5000ppm"}`, "n2")
	var parts []injectors.Evidence // a multi-node fault's evidence: one per node
	var de clock.DriftEvidence
	if err := json.Unmarshal(ev.Data, &parts); err != nil || len(parts) != 1 {
		t.Fatalf("evidence %s: %v", ev.Data, err)
	}
	if err := json.Unmarshal(parts[0].Data, &de); err != nil {
		t.Fatalf("drift evidence %s: %v", parts[0].Data, err)
	}
	if de.Offset0.Abs() > 20*time.Millisecond {
		t.Errorf("clock jumped %v at the injection, want < 20ms", de.Offset0)
	}
	ppm, first := measureRate(t, n2, 4*time.Second)
	t.Logf("drift 5000ppm requested: Verify measured %.0fppm over %v, the test %.0fppm over 4s (offset at its start %v)",
		de.MeasuredPPM, de.Elapsed.Round(time.Millisecond), ppm, first)
	if ppm < 4500 || ppm > 5500 {
		t.Errorf("measured %.0fppm, want 5000 ± 10%%", ppm)
	}
	fx.expectLeft(t, "x1.005")

	fx.heal(t, f, true) // from the ledger, as faultline recover does
	after, off := measureRate(t, n2, 2*time.Second)
	t.Logf("after recovery: offset %v, rate %.0fppm", off, after)
	if off.Abs() > 5*time.Millisecond || after < -500 || after > 500 {
		t.Errorf("after recovery the clock is %v off and runs at %.0fppm; want true time", off, after)
	}
}

// measureRate is the node's clock rate against the harness over window,
// and its offset at the start.
func measureRate(t *testing.T, n targets.Node, window time.Duration) (float64, time.Duration) {
	t.Helper()
	at0, e0 := bestOffset(t, n)
	time.Sleep(window)
	at1, e1 := bestOffset(t, n)
	return float64(e1-e0) / float64(at1.Sub(at0)) * 1e6, e0
}

func bestOffset(t *testing.T, n targets.Node) (time.Time, time.Duration) {
	t.Helper()
	at, ev, err := clock.BestOffset(t.Context(), n, 5)
	if err != nil {
		t.Fatal(err)
	}
	return at, ev.Measured
}
