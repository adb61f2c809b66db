package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Path is where the server serves the metrics.
const Path = "/metrics"

// Server serves one run's metrics over HTTP at Path.
type Server struct {
	m     *Metrics
	ln    net.Listener
	srv   *http.Server
	done  chan error
	final chan struct{} // closed once a scrape begun after Finish is served
	once  sync.Once
}

// Listen binds addr (host:port; port 0 picks a free one) and serves m on
// it. It returns only once bound, so a failure to bind is reported before
// the run touches anything.
func Listen(addr string, m *Metrics) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	s := &Server{m: m, ln: ln, done: make(chan error, 1), final: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle(Path, s.handler())
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

func (s *Server) handler() http.Handler {
	h := promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		final := s.m.finished.Load()
		h.ServeHTTP(w, req)
		if final {
			s.once.Do(func() { close(s.final) })
		}
	})
}

// Addr is the address bound, with the port chosen when it was 0.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the metrics' address as a scrape target would use it.
func (s *Server) URL() string { return "http://" + s.Addr() + Path }

// Close waits up to linger for one scrape of the final values (see
// Metrics.Finish), so the last counts reach the scraper, then stops
// serving.
func (s *Server) Close(ctx context.Context, linger time.Duration) error {
	if linger > 0 {
		t := time.NewTimer(linger)
		select {
		case <-s.final:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("metrics: stop serving on %s: %w", s.Addr(), err)
	}
	return nil
}
