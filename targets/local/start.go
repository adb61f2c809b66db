package local

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// upTimeout bounds how long a new lab may take to become healthy.
const upTimeout = 90 * time.Second

// startGalera starts every node at once. Their data directories are copies
// of one template with the same grastate.dat (history uuid, seqno 0) and a
// saved primary component listing every node (gvwstate.dat, pc.recovery), so
// they form the Primary component together as soon as all are up: no
// bootstrap node, no state transfer. A one-node lab bootstraps itself.
func (b *builder) startGalera(ctx context.Context) error {
	var extra []string
	if b.cfg.Nodes == 1 {
		extra = append(extra, "--wsrep-new-cluster")
	}
	for i := range b.cfg.Nodes {
		args := append([]string{fmt.Sprintf("--wsrep_start_position=%s:0", b.lab.st.ClusterUUID)}, extra...)
		if err := b.lab.launch(nodeName(i), args...); err != nil {
			return err
		}
	}
	return b.waitUp(ctx)
}

// waitUp waits until every node answers, then until the lab is healthy.
func (b *builder) waitUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, upTimeout)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	for i := range b.cfg.Nodes {
		g.Go(func() error { return b.lab.waitAnswering(gctx, nodeName(i)) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if b.cfg.Topology == Replication {
		if err := b.lab.wireReplication(ctx); err != nil {
			return err
		}
	}
	return b.lab.WaitHealthy(ctx)
}

// startReplication starts every node (all read-only), then makes n1 the
// writable primary and points the others at it.
func (b *builder) startReplication(ctx context.Context) error {
	for i := range b.cfg.Nodes {
		if err := b.lab.launch(nodeName(i)); err != nil {
			return err
		}
	}
	return b.waitUp(ctx)
}
