package scenarios

import (
	"fmt"
	"strings"
)

// Capabilities are what this host can do for a local lab. Reasons explains
// each missing one, keyed by lowercase name: netem, nfqueue, faketime, blkio, fuse, mariadb-backup.
type Capabilities struct {
	Netem    bool // tc netem qdisc (latency, loss)
	NFQueue  bool // iptables NFQUEUE with a userspace consumer (latency without netem)
	Faketime bool // libfaketime (clockSkew)
	Blkio    bool // blkio or io.max throttling of a block device (diskThrottle)
	FUSE     bool // /dev/fuse (diskFault)
	// MariaBackup: the mariadb-backup tool (restore, from spec.backup's backups)
	MariaBackup bool
	Reasons     map[string]string
}

// How a host carries out a step (HostSupport.Status).
const (
	HostOK          = "ok"
	HostDegraded    = "degraded"    // carried out another way, with the difference in Detail
	HostUnavailable = "unavailable" // faultline run refuses the scenario (ValidateFor)
)

// HostSupport is how this host carries out one step.
type HostSupport struct {
	Status string `json:"status"`
	// Detail says how a degraded step is carried out, or why an unavailable one cannot be.
	Detail string `json:"detail,omitempty"`
}

// NeedsHost reports whether a fault kind depends on an ability of the
// host (so that probing the host tells something about it).
func NeedsHost(kind string) bool { return len(needs(kind)) > 0 }

// needs names the capabilities a fault kind can use, in order of preference.
func needs(kind string) []string {
	switch kind {
	case FaultLatency:
		return []string{"netem", "nfqueue"}
	case FaultClockSkew:
		return []string{"faketime"}
	case FaultDiskThrottle:
		return []string{"blkio"}
	case FaultDiskFault:
		return []string{"fuse"}
	case FaultRestore:
		return []string{"mariadb-backup"}
	}
	return nil
}

func (c Capabilities) has(name string) bool {
	return map[string]bool{"netem": c.Netem, "nfqueue": c.NFQueue, "faketime": c.Faketime, "blkio": c.Blkio, "fuse": c.FUSE, "mariadb-backup": c.MariaBackup}[name]
}

// Support says how a host with c carries out a fault kind: latency without
// netem is degraded (its packets are held by NFQUEUE and delayed in the
// harness process rather than by the kernel), and a kind whose every means
// is missing is unavailable.
func (c Capabilities) Support(kind string) HostSupport {
	want := needs(kind)
	for i, name := range want {
		if !c.has(name) {
			continue
		}
		if i == 0 {
			return HostSupport{Status: HostOK}
		}
		return HostSupport{Status: HostDegraded, Detail: fmt.Sprintf("through %s instead of %s (%s)", means[name], want[0], c.why(want[:i]))}
	}
	if len(want) == 0 {
		return HostSupport{Status: HostOK}
	}
	return HostSupport{Status: HostUnavailable, Detail: c.why(want)}
}

// means describes a fallback for people.
var means = map[string]string{"nfqueue": "NFQUEUE and an in-process delaying consumer"}

// ValidateFor rejects steps this host cannot carry out, each with the reason
// and the step's position. It checks only local targets: a Kubernetes target's
// abilities are those of its node agents.
func ValidateFor(s *Scenario, caps Capabilities) error {
	if s.Spec.Target.Kind() != TargetLocal {
		return nil
	}
	v := &validator{s: s, scope: scopeOf(s)}
	for i := range s.Spec.Faults {
		kind := s.Spec.Faults[i].Kind()
		if sup := caps.Support(kind); sup.Status == HostUnavailable {
			v.errorf(join(index("spec.faults", i), kind), "this host cannot inject %s: %s; expected a host with %s (see faultline doctor)",
				kind, sup.Detail, strings.Join(needs(kind), " or "))
		}
	}
	return v.errs.Err()
}

// MarkHost records on each step of a local plan how a host with c carries
// it out; a Kubernetes plan is left unmarked.
func (p *Plan) MarkHost(c Capabilities) {
	if p.Target.Kind != TargetLocal {
		return
	}
	for i := range p.Steps {
		sup := c.Support(p.Steps[i].Kind)
		p.Steps[i].Host = &sup
	}
}

// NeedsHost reports whether any step of the plan depends on the host's abilities.
func (p *Plan) NeedsHost() bool {
	for _, s := range p.Steps {
		if p.Target.Kind == TargetLocal && NeedsHost(s.Kind) {
			return true
		}
	}
	return false
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
