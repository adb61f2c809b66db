package network

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
)

// Capability says whether a kernel feature works here and why not.
type Capability struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
}

// Capabilities probes, in a scratch namespace, whether netem qdiscs and
// iptables NFQUEUE rules work on this machine. Latency needs one of them.
func Capabilities(ctx context.Context) []Capability {
	removeStaleScratch(ctx)
	name := fmt.Sprintf("%s%d-%d", scratchPrefix, os.Getpid(), time.Now().UnixNano()%1e9)
	if out, err := exec.CommandContext(ctx, "ip", "netns", "add", name).CombinedOutput(); err != nil {
		r := fmt.Sprintf("cannot create a network namespace: %v: %s", err, out)
		return []Capability{{Name: MethodNetem, Reason: r}, {Name: MethodNFQueue, Reason: r}}
	}
	defer exec.Command("ip", "netns", "del", name).Run()
	ns := "/run/netns/" + name
	return []Capability{probeNetem(ns), probeNFQueue(ctx, ns)}
}

// scratchPrefix names the probe's scratch namespaces: faultline-caps-<pid>-<n>.
const scratchPrefix = "faultline-caps-"

// removeStaleScratch deletes scratch namespaces left by a prober that was
// killed mid-probe (its pid is gone).
func removeStaleScratch(ctx context.Context) {
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), scratchPrefix)
		if !ok {
			continue
		}
		pid, _, _ := strings.Cut(rest, "-")
		if _, err := os.Stat("/proc/" + pid); err == nil {
			continue // its prober is alive
		}
		_ = exec.CommandContext(ctx, "ip", "netns", "del", e.Name()).Run()
	}
}

func probeNetem(ns string) Capability {
	c := Capability{Name: MethodNetem}
	err := withLinkIn(ns, "lo", func(h *netlink.Handle, l netlink.Link) error {
		return h.QdiscAdd(netemQdisc(l, LatencyParams{Delay: time.Millisecond}))
	})
	if err != nil {
		c.Reason = fmt.Sprintf("adding a netem qdisc failed (kernel without sch_netem?): %v", err)
		return c
	}
	c.OK = true
	return c
}

func probeNFQueue(ctx context.Context, ns string) Capability {
	c := Capability{Name: MethodNFQueue}
	p := LatencyParams{Link: "lo", Queue: 999, Tag: "faultline_caps"}
	if _, err := ExecIn(ctx, ns, "iptables", append([]string{"-w", "-I"}, QueueRule(p)...)...); err != nil {
		c.Reason = fmt.Sprintf("iptables NFQUEUE rule: %v", err)
		return c
	}
	d, err := openDelayer(ns, p.Queue, 0, 0, 0)
	if err != nil {
		c.Reason = err.Error()
		return c
	}
	d.Close()
	c.OK = true
	return c
}

// LatencyMethod picks netem when it works, else NFQUEUE, else explains why
// latency cannot be injected.
func LatencyMethod(caps []Capability) (string, error) {
	var reasons []string
	for _, want := range []string{MethodNetem, MethodNFQueue} {
		for _, c := range caps {
			if c.Name == want && c.OK {
				return want, nil
			} else if c.Name == want {
				reasons = append(reasons, c.Name+": "+c.Reason)
			}
		}
	}
	return "", fmt.Errorf("latency needs netem or NFQUEUE: %v", reasons)
}

func missingNS(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return os.IsNotExist(err)
}
