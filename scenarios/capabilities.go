package scenarios

import (
	"fmt"
	"strings"
)

// Capabilities are what this host can do for a local lab. Reasons explains
// each missing one, keyed by lowercase name: netem, nfqueue, faketime, blkio, fuse.
type Capabilities struct {
	Netem    bool // tc netem qdisc (latency, loss)
	NFQueue  bool // iptables NFQUEUE with a userspace consumer (latency without netem)
	Faketime bool // libfaketime (clockSkew)
	Blkio    bool // blkio or io.max throttling of a block device (diskThrottle)
	FUSE     bool // /dev/fuse (diskFault)
	Reasons  map[string]string
}

// ValidateFor rejects steps this host cannot carry out, each with the reason
// and the step's position. It checks only local targets: a Kubernetes target's
// abilities are those of its node agents.
func ValidateFor(s *Scenario, caps Capabilities) error {
	if s.Spec.Target.Kind() != TargetLocal {
		return nil
	}
	v := &validator{s: s, scope: scopeOf(s)}
	for i := range s.Spec.Faults {
		st := &s.Spec.Faults[i]
		kind := st.Kind()
		if missing := caps.missing(kind); missing != nil {
			v.errorf(join(index("spec.faults", i), kind), "this host cannot inject %s: %s; expected a host with %s (see faultline doctor)",
				kind, caps.why(missing), strings.Join(missing, " or "))
		}
	}
	return v.errs.Err()
}

// missing names the capabilities a fault kind needs that the host lacks
// (any one of them would do), or nil.
func (c Capabilities) missing(kind string) []string {
	switch kind {
	case FaultLatency:
		if !c.Netem && !c.NFQueue {
			return []string{"netem", "nfqueue"}
		}
	case FaultClockSkew:
		if !c.Faketime {
			return []string{"faketime"}
		}
	case FaultDiskThrottle:
		if !c.Blkio {
			return []string{"blkio"}
		}
	case FaultDiskFault:
		if !c.FUSE {
			return []string{"fuse"}
		}
	}
	return nil
}

func (c Capabilities) why(missing []string) string {
	parts := make([]string, len(missing))
	for i, m := range missing {
		r := c.Reasons[m]
		if r == "" {
			r = "not available"
		}
		parts[i] = fmt.Sprintf("%s: %s", m, r)
	}
	return strings.Join(parts, "; ")
}
