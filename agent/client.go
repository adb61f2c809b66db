package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"faultline.dev/faultline/injectors"
)

// Client calls one agent; every connection goes through dial (the API
// server's port-forward to the agent's pod).
type Client struct {
	name string
	http *http.Client
}

// NewClient is a client of the agent called name whose connections dial
// opens.
func NewClient(name string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *Client {
	tr := &http.Transport{DialContext: dial, MaxIdleConns: 4, IdleConnTimeout: 30 * time.Second}
	return &Client{name: name, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Apply applies req.
func (c *Client) Apply(ctx context.Context, req Request) (Applied, error) {
	var out Applied
	return out, c.call(ctx, http.MethodPost, "/v1/faults", req, &out)
}

// Heal heals one fault (healing an unknown one is fine).
func (c *Client) Heal(ctx context.Context, runID, id string) error {
	return c.call(ctx, http.MethodDelete, "/v1/faults/"+url.PathEscape(runID)+"/"+url.PathEscape(id), nil, nil)
}

// List is every open record of the agent's ledger.
func (c *Client) List(ctx context.Context) ([]injectors.Record, error) {
	var out []injectors.Record
	return out, c.call(ctx, http.MethodGet, "/v1/faults", nil, &out)
}

// Probe asks what a pod reaches.
func (c *Client) Probe(ctx context.Context, req ProbeRequest) (ProbeResult, error) {
	var out ProbeResult
	return out, c.call(ctx, http.MethodPost, "/v1/probe", req, &out)
}

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://agent"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("agent %s: %w", c.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("agent %s: %s %s: %w", c.name, method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("agent %s: %s", c.name, e.Error)
		}
		return fmt.Errorf("agent %s: %s %s: %s: %s", c.name, method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("agent %s: %s %s: %w", c.name, method, path, err)
	}
	return nil
}

// Check asks the agent serving on addr (from inside its pod) whether it
// is up: the DaemonSet's readiness probe.
func Check(ctx context.Context, addr string) error {
	c := NewClient(addr, func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	defer c.Close()
	return c.call(ctx, http.MethodGet, "/healthz", nil, nil)
}
