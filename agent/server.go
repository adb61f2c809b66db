package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/injectors/network"
)

// Server applies and heals faults on its node. Every fault is recorded in
// the on-node ledger before it is injected and removed only once healed.
type Server struct {
	ledger  *injectors.FileLedger
	reg     *injectors.Registry
	resolve Resolver
	proc    string
	cgroup  string // the cgroup filesystem's root
	logf    func(string, ...any)

	mu     sync.Mutex
	live   map[string]injectors.Fault // by run/id: the faults this process applied
	leases map[string]*time.Timer     // by run/id: the self-heals due
}

// Options configure a Server.
type Options struct {
	StateDir string   // the ledger's directory (DefaultStateDir)
	Proc     string   // the host's /proc ("/proc" with hostPID)
	Resolve  Resolver // how pods are found (ProcResolver(Proc))
	// CgroupRoot is where the cgroup filesystem is mounted (/sys/fs/cgroup).
	CgroupRoot string
	Logf       func(string, ...any)
}

// NewServer opens the ledger; call HealAll before serving.
func NewServer(o Options) (*Server, error) {
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir
	}
	if o.Proc == "" {
		o.Proc = "/proc"
	}
	if o.CgroupRoot == "" {
		o.CgroupRoot = "/sys/fs/cgroup"
	}
	if o.Resolve == nil {
		o.Resolve = ProcResolver(o.Proc)
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	l, err := injectors.OpenLedger(o.StateDir)
	if err != nil {
		return nil, fmt.Errorf("agent ledger: %w", err)
	}
	return &Server{ledger: l, reg: Registry(), resolve: o.Resolve, proc: o.Proc, cgroup: o.CgroupRoot, logf: o.Logf,
		live: map[string]injectors.Fault{}, leases: map[string]*time.Timer{}}, nil
}

// HealAll heals every fault the ledger holds — what an earlier agent
// process applied before it died — and returns the records it healed.
func (s *Server) HealAll(ctx context.Context) ([]injectors.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	healed, err := injectors.RecoverAll(ctx, s.ledger, s.reg, "")
	for _, r := range healed {
		s.logf("healed %s %s/%s on %v (left by an earlier agent)", r.Kind, r.RunID, r.ID, r.Targets)
	}
	return healed, err
}

// Apply records and injects one fault; an id already applied returns its
// record unchanged.
func (s *Server) Apply(ctx context.Context, req Request) (Applied, error) {
	t0 := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if recs, err := s.ledger.List(req.RunID); err == nil {
		for _, r := range recs {
			if r.ID == req.ID {
				return Applied{Record: r}, nil
			}
		}
	}
	var p Proc
	if req.Kind != KindNodeOutage { // the node itself, not one of its pods
		var err error
		if p, err = s.resolve(req.Pod); err != nil {
			return Applied{}, err
		}
	}
	f, err := build(req, p, s.proc, s.cgroup)
	if err != nil {
		return Applied{}, err
	}
	rec := injectors.Record{RunID: req.RunID, ID: req.ID, Kind: req.Kind, Params: f.Params(),
		Targets: []string{req.Pod.Name}, State: injectors.Pending, Created: time.Now()}
	if err := s.ledger.Put(rec); err != nil {
		return Applied{}, fmt.Errorf("agent ledger: %w", err)
	}
	if req.Defer > 0 {
		time.AfterFunc(req.Defer, func() { s.deferred(req, f) })
		s.logf("will apply %s %s/%s on %s in %v", req.Kind, req.RunID, req.ID, req.Pod.Name, req.Defer)
		return Applied{Record: rec, Took: time.Since(t0)}, nil
	}
	if err := s.inject(ctx, req, f); err != nil {
		return Applied{}, err
	}
	out := Applied{Record: rec, Took: time.Since(t0)}
	if v, ok := f.(injectors.Verifier); ok && agentProves(req.Kind) {
		ev, err := v.Verify(ctx)
		if err != nil {
			return out, err
		}
		out.Evidence = &ev
	}
	s.logf("applied %s %s/%s on %s in %v", req.Kind, req.RunID, req.ID, req.Pod.Name, out.Took)
	return out, nil
}

// inject puts a recorded fault in place and starts its lease; on failure
// it undoes what it can and drops the record. The caller holds s.mu.
func (s *Server) inject(ctx context.Context, req Request, f injectors.Fault) error {
	if err := f.Inject(ctx); err != nil {
		err = errors.Join(err, f.Recover(ctx))
		if rerr := s.ledger.Remove(req.RunID, req.ID); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}
	// The record stays "pending": whatever its state, a restarted agent
	// heals it, so one durable write per fault is enough.
	key := req.RunID + "/" + req.ID
	s.live[key] = f
	if req.Lease > 0 {
		s.leases[key] = time.AfterFunc(req.Lease, func() {
			if err := s.Heal(context.Background(), req.RunID, req.ID); err != nil {
				s.logf("lease of %s ended; heal failed: %v", key, err)
				return
			}
			s.logf("lease of %s ended after %v: healed", key, req.Lease)
		})
	}
	return nil
}

// deferred applies a fault whose answer went out already.
func (s *Server) deferred(req Request, f injectors.Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if recs, err := s.ledger.List(req.RunID); err != nil || !slices.ContainsFunc(recs, func(r injectors.Record) bool { return r.ID == req.ID }) {
		return // healed before it was due
	}
	if err := s.inject(context.Background(), req, f); err != nil {
		s.logf("deferred %s %s/%s on %s failed: %v", req.Kind, req.RunID, req.ID, req.Pod.Name, err)
		return
	}
	s.logf("applied %s %s/%s on %s (deferred %v, lease %v)", req.Kind, req.RunID, req.ID, req.Pod.Name, req.Defer, req.Lease)
}

// agentProves reports whether the agent's own Verify is a kind's proof.
func agentProves(kind string) bool {
	return kind == KindPause || kind == KindLatency || kind == KindBandwidth || kind == KindDiskThrottle
}

// Heal recovers one fault and removes its record; an unknown id is healed
// already.
func (s *Server) Heal(ctx context.Context, runID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := runID + "/" + id
	f, ok := s.live[key]
	if !ok {
		recs, err := s.ledger.List(runID)
		if err != nil {
			return fmt.Errorf("agent ledger: %w", err)
		}
		for _, r := range recs {
			if r.ID == id {
				if f, err = s.reg.Rebuild(ctx, r); err != nil {
					return err
				}
			}
		}
		if f == nil {
			return nil
		}
	}
	if err := f.Recover(ctx); err != nil {
		return err
	}
	if t, ok := s.leases[key]; ok {
		t.Stop()
		delete(s.leases, key)
	}
	delete(s.live, key)
	s.logf("healed %s", key)
	return s.ledger.Remove(runID, id)
}

// List is every open record, oldest first.
func (s *Server) List() ([]injectors.Record, error) { return s.ledger.List("") }

// Probe dials every peer's ports from inside the pod's network namespace.
func (s *Server) Probe(ctx context.Context, req ProbeRequest) (ProbeResult, error) {
	p, err := s.resolve(req.Pod)
	if err != nil {
		return ProbeResult{}, err
	}
	if req.Timeout <= 0 {
		req.Timeout = time.Second
	}
	eps := []network.Endpoint{{Node: req.Pod.Name, NetNS: p.NetNS}}
	for _, peer := range req.Peers {
		eps = append(eps, network.Endpoint{Node: peer.Name, NetNS: p.NetNS, Addr: peer.Addr, Ports: peer.Ports})
	}
	m, err := network.ProbeFrom(ctx, eps[0], eps[1:], req.Timeout)
	if err != nil {
		return ProbeResult{}, fmt.Errorf("probe from %s: %w", req.Pod.Name, err)
	}
	return ProbeResult{Reach: m.Reach[req.Pod.Name], Mixed: m.Mixed}, nil
}

// Handler is the agent's HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /v1/faults", func(w http.ResponseWriter, _ *http.Request) {
		recs, err := s.List()
		reply(w, recs, err)
	})
	mux.HandleFunc("POST /v1/faults", func(w http.ResponseWriter, r *http.Request) {
		var req Request
		if !decode(w, r, &req) {
			return
		}
		out, err := s.Apply(r.Context(), req)
		reply(w, out, err)
	})
	mux.HandleFunc("DELETE /v1/faults/{run}/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, struct{}{}, s.Heal(r.Context(), r.PathValue("run"), r.PathValue("id")))
	})
	mux.HandleFunc("POST /v1/probe", func(w http.ResponseWriter, r *http.Request) {
		var req ProbeRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := s.Probe(r.Context(), req)
		reply(w, out, err)
	})
	return mux
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// Serve heals what an earlier agent left, then serves on addr until ctx
// ends. addr must be a loopback address: the API server's port-forward is
// the only way in.
func Serve(ctx context.Context, addr string, o Options) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("agent: listen address %q: want a loopback address (the harness comes through the API server's port-forward)", addr)
	}
	s, err := NewServer(o)
	if err != nil {
		return err
	}
	if _, err := s.HealAll(ctx); err != nil {
		o.Logf("heal at start: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	s.logf("listening on %s (ledger %s)", addr, s.ledger.Dir())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("agent: %w", err)
	}
	return nil
}
