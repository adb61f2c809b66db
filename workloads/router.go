package workloads

import (
	"sync"

	"faultline.dev/faultline/targets"
)

// Routing modes of a pool (scenarios.Workload.Routing); any other value
// names the node every client is pinned to.
const (
	RoutePrimary = "primary"
	RouteAny     = "any"
)

// Router holds what the runner's topology probes last said: which node is
// the writable primary and which nodes are down. Clients read it before
// each operation. The zero value is not usable; use NewRouter.
type Router struct {
	mu      sync.Mutex
	primary string
	down    map[string]bool
	changed chan struct{} // closed and replaced on every change
}

// NewRouter returns a router that knows no primary and no down node.
func NewRouter() *Router {
	return &Router{down: map[string]bool{}, changed: make(chan struct{})}
}

// SetPrimary names the current writable node ("" = none known).
func (r *Router) SetPrimary(node string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.primary == node {
		return
	}
	r.primary = node
	r.notify()
}

// SetDown records whether node is unreachable.
func (r *Router) SetDown(node string, down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down[node] == down {
		return
	}
	r.down[node] = down
	r.notify()
}

// Observe records a probe sample: a node that is not reachable is down.
// It does not change the primary; the runner decides that.
func (r *Router) Observe(p targets.Probe) {
	r.SetDown(p.Node, !p.Reachable)
}

func (r *Router) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Primary returns the current primary ("" = none known) and a channel
// closed at the next change.
func (r *Router) Primary() (string, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.primary, r.changed
}

// Down reports whether the probes last saw node unreachable.
func (r *Router) Down(node string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.down[node]
}

// ObserveAll records one round of probes of every node: which are down,
// and the primary — the current one while it is still writable, else the
// first writable node in probe order, else none.
func (r *Router) ObserveAll(probes []targets.Probe) {
	cur, _ := r.Primary()
	next := ""
	for _, p := range probes {
		r.Observe(p)
		if !p.Reachable || !p.Writable {
			continue
		}
		if p.Node == cur || next == "" {
			next = p.Node
		}
	}
	r.SetPrimary(next)
}
