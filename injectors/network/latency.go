package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"faultline.dev/faultline/injectors"
)

// KindLatency is the registered kind of a latency fault.
const KindLatency = "latency"

// Latency methods.
const (
	MethodNetem   = "netem"
	MethodNFQueue = "nfqueue"
	// MethodNFTables is MethodNFQueue with the queue rule in an nftables
	// table of its own (LatencyTable) written over netlink: no iptables
	// binary needed, which is what the node agent's image has.
	MethodNFTables = "nftables"
)

// LatencyTable is the nftables table of a run's latency (MethodNFTables),
// apart from its partition's table in the same namespace.
func LatencyTable(runID string) string { return TableName(runID) + "_latency" }

// LatencyParams is everything needed to apply and undo a latency fault.
type LatencyParams struct {
	RunID  string        `json:"runId"`
	Node   string        `json:"node"`
	NetNS  string        `json:"netns"`
	Link   string        `json:"link"` // the node's interface inside its namespace
	Addr   net.IP        `json:"addr"`
	Port   int           `json:"port"` // probed for the RTT (SQL)
	Method string        `json:"method"`
	Queue  uint16        `json:"queue,omitempty"`
	Delay  time.Duration `json:"delay"`
	Jitter time.Duration `json:"jitter,omitempty"`
	Loss   float64       `json:"loss,omitempty"`
	Tag    string        `json:"tag"` // iptables comment
}

// Latency delays (and drops) the packets a node sends.
type Latency struct {
	p        LatencyParams
	consumer *delayer
	before   time.Duration
}

var (
	_ injectors.Fault    = (*Latency)(nil)
	_ injectors.Verifier = (*Latency)(nil)
)

// NewLatency builds a latency fault on one node with the given method.
func NewLatency(runID, method string, ep Endpoint, link string, delay, jitter time.Duration, loss float64) *Latency {
	return &Latency{p: LatencyParams{RunID: runID, Node: ep.Node, NetNS: ep.NetNS, Link: link,
		Addr: ep.Addr, Port: ep.Ports[0], Method: method, Queue: QueueNum(runID, ep.Node),
		Delay: delay, Jitter: jitter, Loss: loss, Tag: TableName(runID)}}
}

// LatencyFromParams rebuilds a latency fault from its Params.
func LatencyFromParams(raw json.RawMessage) (*Latency, error) {
	var p LatencyParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("latency params: %w", err)
	}
	return &Latency{p: p}, nil
}

// QueueNum is the NFQUEUE number of a run's node, in 1000..60999.
func QueueNum(runID, node string) uint16 {
	h := fnv.New32a()
	h.Write([]byte(runID + "/" + node))
	return uint16(1000 + h.Sum32()%60000)
}

// Kind is "latency".
func (*Latency) Kind() string { return KindLatency }

// Params is the JSON of LatencyParams.
func (f *Latency) Params() json.RawMessage { return mustJSON(f.p) }

// QueueRule is the iptables rule (after the chain) of an NFQUEUE latency.
func QueueRule(p LatencyParams) []string {
	return []string{"OUTPUT", "-o", p.Link, "-m", "comment", "--comment", p.Tag,
		"-j", "NFQUEUE", "--queue-num", strconv.Itoa(int(p.Queue)), "--queue-bypass"}
}

// Inject measures the node's RTT, then delays its packets.
func (f *Latency) Inject(ctx context.Context) error {
	f.before, _ = ConnectRTT(ctx, f.p.Addr, f.p.Port, 5)
	if err := f.inject(ctx); err != nil {
		return fmt.Errorf("inject latency on %s: %w", f.p.Node, err)
	}
	return nil
}

func (f *Latency) inject(ctx context.Context) error {
	if f.p.Method == MethodNetem {
		return withLinkIn(f.p.NetNS, f.p.Link, func(h *netlink.Handle, l netlink.Link) error {
			return h.QdiscReplace(netemQdisc(l, f.p))
		})
	}
	if f.consumer == nil {
		d, err := openDelayer(f.p.NetNS, f.p.Queue, f.p.Delay, f.p.Jitter, f.p.Loss)
		if err != nil {
			return err
		}
		f.consumer = d
	}
	if f.p.Method == MethodNFTables {
		return ApplyTable(f.p.NetNS, TableSpec{Table: LatencyTable(f.p.RunID), QueueLink: f.p.Link, QueueNum: f.p.Queue})
	}
	rule := QueueRule(f.p)
	if _, err := ExecIn(ctx, f.p.NetNS, "iptables", append([]string{"-w", "-C"}, rule...)...); err == nil {
		return nil
	}
	_, err := ExecIn(ctx, f.p.NetNS, "iptables", append([]string{"-w", "-I"}, rule...)...)
	return err
}

// Recover removes the rule (or qdisc), then lets the held packets go.
func (f *Latency) Recover(ctx context.Context) error {
	if _, err := os.Stat(f.p.NetNS); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var err error
	switch f.p.Method {
	case MethodNetem:
		err = withLinkIn(f.p.NetNS, f.p.Link, func(h *netlink.Handle, l netlink.Link) error {
			return delOurQdisc(h, l)
		})
	case MethodNFTables:
		err = DeleteTable(f.p.NetNS, LatencyTable(f.p.RunID))
	default:
		err = deleteRule(ctx, f.p.NetNS, "iptables", QueueRule(f.p))
	}
	if f.consumer != nil && err == nil {
		err = f.consumer.Close()
		f.consumer = nil
	}
	if err != nil {
		return fmt.Errorf("recover latency on %s: %w", f.p.Node, err)
	}
	return nil
}

// deleteRule deletes every copy of an iptables rule; none is fine.
func deleteRule(ctx context.Context, nsPath, cmd string, rule []string) error {
	for range 16 {
		if _, err := ExecIn(ctx, nsPath, cmd, append([]string{"-w", "-C"}, rule...)...); err != nil {
			return nil
		}
		if _, err := ExecIn(ctx, nsPath, cmd, append([]string{"-w", "-D"}, rule...)...); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s rule still present after 16 deletions", cmd)
}

// LatencyEvidence is the node's TCP connect time before and during the fault.
type LatencyEvidence struct {
	Before time.Duration `json:"before"`
	During time.Duration `json:"during"`
	Want   time.Duration `json:"want"`
}

// Verify measures the connect time from the harness to the node's SQL port;
// it holds when it grew by at least half the requested delay.
func (f *Latency) Verify(ctx context.Context) (injectors.Evidence, error) {
	during, err := ConnectRTT(ctx, f.p.Addr, f.p.Port, 5)
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify latency on %s: %w", f.p.Node, err)
	}
	ev := LatencyEvidence{Before: f.before, During: during, Want: f.p.Delay}
	held := during-f.before >= f.p.Delay/2
	sum := fmt.Sprintf("latency on %s: connect %v before, %v during (want +%v)", f.p.Node, f.before, during, f.p.Delay)
	return injectors.Evidence{Held: held, Summary: sum, Data: mustJSON(ev)}, nil
}

// ConnectRTT is the median TCP connect time from the harness to addr:port
// over n attempts (a refused connection counts: the reply came back).
func ConnectRTT(ctx context.Context, addr net.IP, port, n int) (time.Duration, error) {
	var rtts []time.Duration
	for range n {
		t0 := time.Now()
		c, err := (&net.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(addr.String(), strconv.Itoa(port)))
		var op *net.OpError
		if err != nil && !(errors.As(err, &op) && isRefused(err)) {
			return 0, fmt.Errorf("connect %s:%d: %w", addr, port, err)
		}
		rtts = append(rtts, time.Since(t0))
		if c != nil {
			c.Close()
		}
	}
	slices.Sort(rtts)
	return rtts[len(rtts)/2], nil
}

// withLinkIn runs fn with a netlink handle in the namespace at nsPath ("" =
// the harness's) and the named link.
func withLinkIn(nsPath, link string, fn func(*netlink.Handle, netlink.Link) error) error {
	h := &netlink.Handle{}
	if nsPath != "" {
		ns, err := netns.GetFromPath(nsPath)
		if err != nil {
			return fmt.Errorf("netns %s: %w", nsPath, err)
		}
		defer ns.Close()
		if h, err = netlink.NewHandleAt(ns); err != nil {
			return fmt.Errorf("netlink in %s: %w", nsPath, err)
		}
		defer h.Close()
	}
	l, err := h.LinkByName(link)
	if err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	return fn(h, l)
}
