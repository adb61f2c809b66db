package network

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	nfqueue "github.com/florianl/go-nfqueue/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// delayer is an in-process NFQUEUE consumer: it holds each packet's verdict
// for delay ± jitter and drops loss percent of them. It lives in the harness;
// when the harness dies the rule's --queue-bypass lets traffic flow again.
type delayer struct {
	q      *nfqueue.Nfqueue
	cancel context.CancelFunc
	wg     sync.WaitGroup // pending verdicts
	delay  time.Duration
	jitter time.Duration
	loss   float64
	rng    *rand.Rand
	mu     sync.Mutex
}

// openDelayer binds queue num inside the namespace at nsPath.
func openDelayer(nsPath string, num uint16, delay, jitter time.Duration, loss float64) (*delayer, error) {
	f, err := OpenNS(nsPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	q, err := nfqueue.Open(&nfqueue.Config{
		NetNS: int(f.Fd()), NfQueue: num, MaxPacketLen: 64, MaxQueueLen: 8192,
		Copymode: nfqueue.NfQnlCopyPacket, AfFamily: unix.AF_INET,
		Flags: nfqueue.NfQaCfgFlagFailOpen, WriteTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		return nil, fmt.Errorf("open nfqueue %d in %s: %w", num, nsPath, err)
	}
	_ = q.SetOption(netlink.NoENOBUFS, true)
	d := &delayer{q: q, delay: delay, jitter: jitter, loss: loss,
		rng: rand.New(rand.NewPCG(uint64(num), uint64(time.Now().UnixNano())))}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	if err := q.RegisterWithErrorFunc(ctx, d.packet, func(error) int { return 0 }); err != nil {
		cancel()
		q.Close()
		return nil, fmt.Errorf("register nfqueue %d in %s: %w", num, nsPath, err)
	}
	return d, nil
}

// hold is the verdict delay of the next packet, or -1 to drop it.
func (d *delayer) hold() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.loss > 0 && d.rng.Float64()*100 < d.loss {
		return -1
	}
	h := d.delay
	if d.jitter > 0 {
		h += time.Duration(d.rng.Int64N(int64(2*d.jitter)+1)) - d.jitter
	}
	return max(h, 0)
}

func (d *delayer) packet(a nfqueue.Attribute) int {
	if a.PacketID == nil {
		return 0
	}
	id := *a.PacketID
	h := d.hold()
	if h < 0 {
		_ = d.q.SetVerdict(id, nfqueue.NfDrop)
		return 0
	}
	d.wg.Add(1)
	time.AfterFunc(h, func() {
		defer d.wg.Done()
		_ = d.q.SetVerdict(id, nfqueue.NfAccept)
	})
	return 0
}

// Close waits for the held verdicts, then unbinds the queue.
func (d *delayer) Close() error {
	d.wg.Wait()
	d.cancel()
	return d.q.Close()
}
