package workloads

import (
	"context"
	"encoding/json"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/targets"
)

// Reconnect backoff bounds, how long a node that failed to accept a
// connection is skipped by RouteAny, and the pause bounds after a node
// refused service.
const (
	backoffMin  = 20 * time.Millisecond
	backoffMax  = 500 * time.Millisecond
	skipFailed  = 2 * time.Second
	primaryPoll = 200 * time.Millisecond
	refusedMin  = 10 * time.Millisecond
	refusedMax  = 200 * time.Millisecond
)

// client is one goroutine with one connection.
type client struct {
	p       *Pool
	id      int
	gen     Client
	home    int // index of the node RouteAny prefers
	sess    *Session
	failed  map[string]time.Time // node → last failed dial
	backoff time.Duration
	refused time.Duration // pause after the node refused service
}

func newClient(p *Pool, id int) *client {
	return &client{
		p: p, id: id, gen: p.w.NewClient(id),
		home:   id % len(p.cfg.Nodes),
		failed: map[string]time.Time{},
	}
}

func (c *client) run(ctx context.Context, end time.Time) {
	defer c.disconnect()
	for ctx.Err() == nil && time.Now().Before(end) {
		if !c.connect(ctx, end) {
			return
		}
		start := c.p.pace.take(time.Now())
		if !start.Before(end) || !sleepUntil(ctx, start) {
			return
		}
		c.do(ctx, c.gen.Next(), start)
	}
}

// sleepUntil waits until t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// do performs op and records its invoke and completion.
func (c *client) do(ctx context.Context, op *Op, slot time.Time) {
	p := c.p
	var intended int64
	if p.cfg.OpenLoop {
		intended = p.at(slot)
	}
	inv := &history.Event{
		Time: p.cfg.Clock(), Wall: time.Now().UnixNano(), Process: c.id, Type: history.Invoke,
		F: op.F, Value: op.Value, Node: c.sess.Node, Intended: intended,
	}
	p.cfg.Recorder.Record(inv)
	val, err := c.perform(ctx, op)
	done := &history.Event{
		Time: p.cfg.Clock(), Wall: time.Now().UnixNano(), Process: c.id,
		Type: outcome(err, op.ReadOnly), F: op.F, Value: val, Node: c.sess.Node, Intended: intended,
	}
	if err != nil {
		done.Value = op.Value
		done.Err = err.Error()
	}
	started := inv.Time
	if intended != 0 {
		started = intended
	}
	p.lat.add(done.Time, done.Type, time.Duration(done.Time-started))
	p.cfg.Recorder.Record(done)
	if err != nil && (c.sess.Broken() || ConnLost(err)) {
		c.disconnect()
	}
	c.pause(ctx, err)
}

// pause backs off while the node refuses service on a live connection
// (non-Primary, read-only): such errors come back at once, and without a
// pause an unthrottled client would fill the history with them. Other
// errors (conflicts, timeouts, lost connections) need no pause: they took
// time already, or reconnecting backs off.
func (c *client) pause(ctx context.Context, err error) {
	switch ServerErrorNumber(err) {
	case ErrWsrepNotReady, ErrReadOnly, ErrReadOnlyMode:
		c.refused = min(max(c.refused*2, refusedMin), refusedMax)
		sleepUntil(ctx, time.Now().Add(c.refused))
	default:
		c.refused = 0
	}
}

// perform runs op under the operation timeout: through the context for
// multi-statement operations, through the connection's read/write timeout
// for single statements.
func (c *client) perform(ctx context.Context, op *Op) (json.RawMessage, error) {
	if op.Single {
		return op.Do(context.WithoutCancel(ctx), c.sess)
	}
	opCtx, cancel := context.WithTimeout(ctx, c.p.cfg.OpTimeout)
	defer cancel()
	return op.Do(opCtx, c.sess)
}

func (c *client) disconnect() {
	if c.sess != nil {
		c.sess.Close()
		c.sess = nil
	}
}

// connect makes sure the client holds a connection to the node its routing
// wants, waiting (and recording nothing) while there is none to be had.
// False when ctx ended or the run is over.
func (c *client) connect(ctx context.Context, end time.Time) bool {
	for ctx.Err() == nil && time.Now().Before(end) {
		want, wait := c.wanted()
		if c.sess != nil && (want == nil || c.sess.Node == want.Name) {
			return true
		}
		c.disconnect()
		if want == nil {
			c.wait(ctx, wait)
			continue
		}
		s, err := Dial(ctx, *want, Database, c.p.cfg.OpTimeout)
		if err == nil {
			c.sess, c.backoff = s, 0
			return true
		}
		c.failed[want.Name] = time.Now()
		c.wait(ctx, nil)
	}
	return false
}

// wait sleeps for the growing backoff, or until changed is closed.
func (c *client) wait(ctx context.Context, changed <-chan struct{}) {
	c.backoff = min(max(c.backoff*2, backoffMin), backoffMax)
	if changed != nil {
		c.backoff = primaryPoll
	}
	tm := time.NewTimer(c.backoff)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-changed:
	case <-ctx.Done():
	}
}

// wanted is the node the client should be connected to, or nil and a
// channel that signals a routing change.
func (c *client) wanted() (*targets.Node, <-chan struct{}) {
	nodes, r := c.p.cfg.Nodes, c.p.cfg.Router
	switch c.p.cfg.Routing {
	case RoutePrimary:
		name, changed := r.Primary()
		if n, ok := nodeNamed(nodes, name); ok {
			return &n, nil
		}
		return nil, changed
	case RouteAny:
		return c.anyNode(), nil
	}
	n, _ := nodeNamed(nodes, c.p.cfg.Routing)
	return &n, nil
}

// anyNode is the first node from the client's home on that neither the
// probes saw down nor failed to accept this client's connection lately.
// The current node stays wanted while nothing better is available.
func (c *client) anyNode() *targets.Node {
	nodes := c.p.cfg.Nodes
	for i := range nodes {
		n := nodes[(c.home+i)%len(nodes)]
		if c.sess != nil && c.sess.Node == n.Name {
			return &n
		}
		if c.p.cfg.Router.Down(n.Name) || time.Since(c.failed[n.Name]) < skipFailed {
			continue
		}
		return &n
	}
	return &nodes[(c.home+int(time.Now().UnixNano()))%len(nodes)]
}
