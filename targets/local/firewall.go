package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Lab traffic between nodes is bridged. With br_netfilter loaded
// (net.bridge.bridge-nf-call-iptables=1, which Docker sets) every bridged
// frame crosses the root namespace's iptables FORWARD chain, whose policy
// Docker sets to DROP. So each lab adds, in every iptables backend that has
// a filter table, one rule accepting what enters and leaves its own bridge,
// and nothing else:
//
//	-A DOCKER-USER -i fl-<lab> -o fl-<lab> -m comment --comment "faultline lab <lab>" -j ACCEPT
//
// in DOCKER-USER where that chain exists (Docker evaluates it first and
// keeps its rules), else in FORWARD. The rule is added whatever the policy:
// it is harmless under ACCEPT and keeps the lab working if the policy
// changes while it runs. A backend without a filter table filters nothing
// and gets no rule (none is created for it).
//
// The iptables command is used rather than netlink: the legacy backend has
// no netlink interface, and rules in iptables-nft's tables must stay in its
// dialect for iptables-save, Docker and -D to read them back. Docker 20.10
// itself manages these chains through the same command.

const (
	ruleTagPrefix = "faultline lab "
	dockerUser    = "DOCKER-USER"
	forwardChain  = "FORWARD"
)

// iptablesBackend is one iptables implementation and its filter table.
type iptablesBackend struct {
	cmd    string          // iptables-nft, iptables-legacy or iptables
	filter bool            // it has a filter table
	policy string          // FORWARD's policy, "" without a filter table
	chains map[string]bool // chains of the filter table
	rules  [][]string      // "-A CHAIN …" lines of the filter table, tokenized
}

// fwdRule is an accept rule of a lab in one backend's chain.
type fwdRule struct {
	cmd   string
	chain string
	lab   string
	spec  []string // matches and target, as after "-A <chain>"
}

func (r fwdRule) String() string {
	args := make([]string, len(r.spec))
	for i, a := range r.spec {
		args[i] = a
		if strings.ContainsAny(a, " \"") {
			args[i] = strconv.Quote(a)
		}
	}
	return fmt.Sprintf("%s %s %s", r.cmd, r.chain, strings.Join(args, " "))
}

// ruleSpec is the accept rule of lab's bridge.
func ruleSpec(lab string) []string {
	br := names{lab: lab}.bridge()
	return []string{"-i", br, "-o", br, "-m", "comment", "--comment", ruleTagPrefix + lab, "-j", "ACCEPT"}
}

// planRules is the rule lab needs in each backend that has a filter table:
// in DOCKER-USER where the chain exists, else in FORWARD.
func planRules(lab string, bs []iptablesBackend) []fwdRule {
	var out []fwdRule
	for _, b := range bs {
		if b.filter {
			out = append(out, fwdRule{cmd: b.cmd, chain: b.ruleChain(), lab: lab, spec: ruleSpec(lab)})
		}
	}
	return out
}

// ruleChain is where a lab's rule goes: DOCKER-USER if it exists, else FORWARD.
func (b iptablesBackend) ruleChain() string {
	if b.chains[dockerUser] {
		return dockerUser
	}
	return forwardChain
}

// labRules lists the tagged rules of the labs o matches in the backends.
func labRules(o owner, bs []iptablesBackend) []fwdRule {
	var out []fwdRule
	for _, b := range bs {
		for _, r := range b.rules {
			lab, ok := ruleLab(r)
			if ok && len(r) > 2 && (o.lab == lab || o.lab == "") {
				out = append(out, fwdRule{cmd: b.cmd, chain: r[1], lab: lab, spec: r[2:]})
			}
		}
	}
	return out
}

// ruleLab is the lab a tokenized rule is tagged with.
func ruleLab(rule []string) (string, bool) {
	for i, tok := range rule {
		if tok != "--comment" || i+1 >= len(rule) {
			continue
		}
		lab, ok := strings.CutPrefix(rule[i+1], ruleTagPrefix)
		return lab, ok && ValidateName(lab) == nil
	}
	return "", false
}

// ensureForward adds lab's missing accept rules; present ones are kept.
func ensureForward(ctx context.Context, lab string) ([]fwdRule, error) {
	bs, err := iptablesBackends(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, r := range labRules(owner{lab: lab}, bs) {
		have[r.cmd+" "+r.chain] = true
	}
	var added []fwdRule
	for _, r := range planRules(lab, bs) {
		if have[r.cmd+" "+r.chain] {
			continue
		}
		if err := iptables(ctx, r.cmd, append([]string{"-I", r.chain, "1"}, r.spec...)...); err != nil {
			return added, fmt.Errorf("lab %s: accept forwarding on its bridge: %w", lab, err)
		}
		added = append(added, r)
	}
	return added, nil
}

// deleteRule removes r; a rule already gone is not an error.
func deleteRule(ctx context.Context, r fwdRule) error {
	err := iptables(ctx, r.cmd, append([]string{"-D", r.chain}, r.spec...)...)
	if err != nil && iptables(ctx, r.cmd, append([]string{"-C", r.chain}, r.spec...)...) != nil {
		return nil // absent
	}
	return err
}

func iptables(ctx context.Context, cmd string, args ...string) error {
	full := append([]string{"-w", "-t", "filter"}, args...)
	out, err := exec.CommandContext(ctx, sbin(cmd), full...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", cmd, strings.Join(full, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// iptablesBackends reads the filter table of each iptables backend here:
// iptables-nft and iptables-legacy where both exist, else plain iptables.
// iptables-save without -t lists only existing tables and creates none.
func iptablesBackends(ctx context.Context) ([]iptablesBackend, error) {
	var cmds []string
	for _, c := range []string{"iptables-nft", "iptables-legacy"} {
		if sbin(c+"-save") != c+"-save" {
			cmds = append(cmds, c)
		}
	}
	if len(cmds) == 0 && sbin("iptables-save") != "iptables-save" {
		cmds = []string{"iptables"}
	}
	var out []iptablesBackend
	for _, c := range cmds {
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, sbin(c+"-save"))
		cmd.Stderr = &stderr
		save, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s-save: %w: %s", c, err, bytes.TrimSpace(stderr.Bytes()))
		}
		b := parseFilter(string(save))
		b.cmd = c
		out = append(out, b)
	}
	return out, nil
}

// parseFilter reads the filter table of iptables-save output.
func parseFilter(save string) iptablesBackend {
	var b iptablesBackend
	in := false
	for _, line := range strings.Split(save, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "*filter":
			in, b.filter, b.chains = true, true, map[string]bool{}
		case !in:
		case line == "COMMIT":
			in = false
		case strings.HasPrefix(line, ":"):
			f := strings.Fields(line[1:])
			if len(f) >= 2 {
				b.chains[f[0]] = true
				if f[0] == forwardChain {
					b.policy = f[1]
				}
			}
		case strings.HasPrefix(line, "-A "):
			b.rules = append(b.rules, splitRule(line))
		}
	}
	return b
}

// splitRule splits an iptables-save line into arguments: double quotes
// group, a backslash inside them escapes the next character.
func splitRule(line string) []string {
	var out []string
	var cur strings.Builder
	quoted, have := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == '"':
			quoted, have = !quoted, true
		case c == ' ' && !quoted:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// Forwarding says how this host's firewall treats bridged lab traffic and
// what a lab adds to it, for `faultline doctor`.
func Forwarding(ctx context.Context) (string, error) {
	bs, err := iptablesBackends(ctx)
	if err != nil {
		return "", err
	}
	nf, _ := os.ReadFile("/proc/sys/net/bridge/bridge-nf-call-iptables")
	return forwardingSummary(strings.TrimSpace(string(nf)), bs), nil
}

func forwardingSummary(bridgeNF string, bs []iptablesBackend) string {
	var parts []string
	for _, b := range bs {
		if b.filter {
			parts = append(parts, fmt.Sprintf("%s FORWARD policy %s: each lab accepts its own bridge in %s", b.cmd, b.policy, b.ruleChain()))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no iptables filter table: nothing filters lab traffic, no rule added"}
	}
	if bridgeNF != "1" {
		parts = append([]string{"bridged traffic bypasses iptables (bridge-nf-call-iptables not 1)"}, parts...)
	}
	return strings.Join(parts, "; ")
}

// AcceptBridge makes every iptables backend with a filter table accept
// what is bridged on bridge — the rule a lab adds for its own bridge,
// tagged with tag — for networks built beside labs (the network faults'
// test namespaces), so that a FORWARD policy of DROP left by Docker does
// not cut them off. The returned undo removes exactly those rules.
func AcceptBridge(ctx context.Context, bridge, tag string) (undo func(context.Context) error, err error) {
	bs, err := iptablesBackends(ctx)
	if err != nil {
		return nil, err
	}
	spec := []string{"-i", bridge, "-o", bridge, "-m", "comment", "--comment", tag, "-j", "ACCEPT"}
	var added []fwdRule
	undo = func(ctx context.Context) error {
		var first error
		for _, r := range added {
			if err := deleteRule(ctx, r); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for _, b := range bs {
		if !b.filter {
			continue
		}
		r := fwdRule{cmd: b.cmd, chain: b.ruleChain(), spec: spec}
		if err := iptables(ctx, r.cmd, append([]string{"-I", r.chain, "1"}, r.spec...)...); err != nil {
			return nil, errors.Join(fmt.Errorf("accept forwarding on %s: %w", bridge, err), undo(ctx))
		}
		added = append(added, r)
	}
	return undo, nil
}
