package workloads

import (
	"testing"

	"faultline.dev/faultline/targets"
)

func TestRouterObserveAll(t *testing.T) {
	r := NewRouter()
	_, changed := r.Primary()
	probe := func(node string, reachable, writable bool) targets.Probe {
		return targets.Probe{Node: node, Reachable: reachable, Writable: writable}
	}
	r.ObserveAll([]targets.Probe{probe("n1", true, false), probe("n2", true, true), probe("n3", true, true)})
	if p, _ := r.Primary(); p != "n2" {
		t.Fatalf("primary %q, want the first writable n2", p)
	}
	select {
	case <-changed:
	default:
		t.Fatal("change not signalled")
	}
	// n2 stays primary while writable, even when n1 becomes writable too.
	r.ObserveAll([]targets.Probe{probe("n1", true, true), probe("n2", true, true), probe("n3", true, true)})
	if p, _ := r.Primary(); p != "n2" {
		t.Fatalf("primary moved to %q while n2 was still writable", p)
	}
	r.ObserveAll([]targets.Probe{probe("n1", true, false), probe("n2", false, false), probe("n3", true, true)})
	if p, _ := r.Primary(); p != "n3" || !r.Down("n2") || r.Down("n1") {
		t.Fatalf("primary %q, n2 down %v, n1 down %v", p, r.Down("n2"), r.Down("n1"))
	}
	r.ObserveAll([]targets.Probe{probe("n1", true, false), probe("n2", false, false), probe("n3", true, false)})
	if p, _ := r.Primary(); p != "" {
		t.Fatalf("primary %q with no writable node", p)
	}
}
