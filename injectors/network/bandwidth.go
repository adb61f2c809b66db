package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"

	"faultline.dev/faultline/injectors"
)

// KindBandwidth is the registered kind of a bandwidth limit.
const KindBandwidth = "bandwidth"

// Directions of a bandwidth limit.
const (
	DirIn   = "in"   // toward the node: tbf on the host end of its veth
	DirOut  = "out"  // from the node: tbf on its interface inside its namespace
	DirBoth = "both" // default
)

// QdiscPlace is one link that gets a tbf: NetNS "" is the harness's namespace.
type QdiscPlace struct {
	NetNS string `json:"netns,omitempty"`
	Link  string `json:"link"`
}

// BandwidthParams is everything needed to apply and undo a bandwidth limit.
type BandwidthParams struct {
	RunID  string       `json:"runId"`
	Node   string       `json:"node"`
	Rate   uint64       `json:"rate"` // bytes per second
	Places []QdiscPlace `json:"places"`
}

// Bandwidth limits a node's traffic with token buckets.
type Bandwidth struct{ p BandwidthParams }

var (
	_ injectors.Fault    = (*Bandwidth)(nil)
	_ injectors.Verifier = (*Bandwidth)(nil)
)

// BandwidthPlaces is where a direction puts its qdiscs.
func BandwidthPlaces(direction, netNS, hostLink, link string) ([]QdiscPlace, error) {
	in, out := QdiscPlace{Link: hostLink}, QdiscPlace{NetNS: netNS, Link: link}
	switch direction {
	case DirIn:
		return []QdiscPlace{in}, nil
	case DirOut:
		return []QdiscPlace{out}, nil
	case DirBoth, "":
		return []QdiscPlace{in, out}, nil
	}
	return nil, fmt.Errorf("bandwidth: unknown direction %q (in, out, both)", direction)
}

// NewBandwidth builds a bandwidth limit.
func NewBandwidth(runID, node string, rate uint64, places []QdiscPlace) (*Bandwidth, error) {
	if rate == 0 {
		return nil, fmt.Errorf("bandwidth on %s: rate must be positive", node)
	}
	return &Bandwidth{BandwidthParams{RunID: runID, Node: node, Rate: rate, Places: places}}, nil
}

// BandwidthFromParams rebuilds a bandwidth limit from its Params.
func BandwidthFromParams(raw json.RawMessage) (*Bandwidth, error) {
	var p BandwidthParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("bandwidth params: %w", err)
	}
	return &Bandwidth{p}, nil
}

// Kind is "bandwidth".
func (*Bandwidth) Kind() string { return KindBandwidth }

// Params is the JSON of BandwidthParams.
func (f *Bandwidth) Params() json.RawMessage { return mustJSON(f.p) }

// Inject replaces the root qdisc of every place with the token bucket.
func (f *Bandwidth) Inject(ctx context.Context) error {
	for _, pl := range f.p.Places {
		err := withLinkIn(pl.NetNS, pl.Link, func(h *netlink.Handle, l netlink.Link) error {
			return h.QdiscReplace(TbfQdisc(l.Attrs().Index, f.p.Rate))
		})
		if err != nil {
			return fmt.Errorf("inject bandwidth on %s: %w", f.p.Node, err)
		}
	}
	return nil
}

// Recover deletes the token buckets; a missing link or qdisc is fine.
func (f *Bandwidth) Recover(ctx context.Context) error {
	var errs []error
	for _, pl := range f.p.Places {
		err := withLinkIn(pl.NetNS, pl.Link, delOurQdisc)
		var nf netlink.LinkNotFoundError
		if err != nil && !errors.As(err, &nf) && !missingNS(pl.NetNS) {
			errs = append(errs, fmt.Errorf("recover bandwidth on %s: %w", f.p.Node, err))
		}
	}
	return errors.Join(errs...)
}

// Verify holds when every place has faultline's tbf at the requested rate.
func (f *Bandwidth) Verify(ctx context.Context) (injectors.Evidence, error) {
	var found []string
	held := true
	for _, pl := range f.p.Places {
		err := withLinkIn(pl.NetNS, pl.Link, func(h *netlink.Handle, l netlink.Link) error {
			q, err := ourQdisc(h, l)
			tbf, ok := q.(*netlink.Tbf)
			if err == nil && ok && tbf.Rate == f.p.Rate {
				found = append(found, fmt.Sprintf("%s: tbf rate %d B/s", pl.Link, tbf.Rate))
			} else {
				held = false
			}
			return err
		})
		if err != nil {
			return injectors.Evidence{}, fmt.Errorf("verify bandwidth on %s: %w", f.p.Node, err)
		}
	}
	sum := fmt.Sprintf("bandwidth on %s: %d of %d token buckets at %d B/s", f.p.Node, len(found), len(f.p.Places), f.p.Rate)
	return injectors.Evidence{Held: held, Summary: sum, Data: mustJSON(found)}, nil
}
