package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"

	"faultline.dev/faultline/history"
)

// Linearizable checks the register workload with porcupine, one partition
// per key. ok operations are checked as they completed; fail operations are
// dropped (they did not happen); info writes and compare-and-sets stay open
// until the end of the history (they may have taken effect at any point
// after their invoke, or never); info reads are dropped (they observed
// nothing). Keys start absent (null). On a violation the visualization is
// written to linearizability.html in the run directory.
type Linearizable struct{}

// Name is "linearizable".
func (Linearizable) Name() string { return NameLinearizable }

// ArtifactLinearizability is the visualization written on a violation.
const ArtifactLinearizability = "linearizability.html"

// regState is a register's value; set is false while the key is absent.
type regState struct {
	set bool
	v   int64
}

// regInput is one register operation as the model sees it.
type regInput struct {
	f        string // read, write, cas
	k        int64
	v        regState // write: the value; read: the value read
	old, new int64    // cas
	unknown  bool     // info: outcome unknown
}

type linEvidence struct {
	Keys        int     `json:"keys"`
	Operations  int     `json:"operations"`
	FailedKeys  []int64 `json:"failedKeys,omitempty"`
	Undecodable int     `json:"undecodable,omitempty"`
}

// Check runs porcupine within the context's deadline.
func (c Linearizable) Check(ctx context.Context, in *Input) Verdict {
	ops, ev := registerOps(in.index().ops)
	keys := partitionKeys(ops)
	ev.Keys, ev.Operations = len(keys), len(ops)
	if len(ops) == 0 {
		return Verdict{Check: c.Name(), Status: Unknown, Summary: "no register operations to check", Evidence: toJSON(ev)}
	}
	timeout := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		// Leave a tenth of the time for writing the visualization.
		if timeout = time.Until(dl) * 9 / 10; timeout <= 0 {
			return cancelled(c.Name(), ctx)
		}
	}
	model := registerModel(in.RegisterInitial)
	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	v := Verdict{Check: c.Name()}
	switch {
	case ctx.Err() != nil && res != porcupine.Illegal:
		return cancelled(c.Name(), ctx)
	case res == porcupine.Ok:
		v.Status = Valid
		v.Summary = fmt.Sprintf("%d operations on %d keys are linearizable", ev.Operations, ev.Keys)
	case res == porcupine.Unknown:
		v.Status = Unknown
		v.Summary = fmt.Sprintf("linearizability check timed out after %s", timeout.Round(time.Millisecond))
	default:
		v.Status = Invalid
		ev.FailedKeys = failedKeys(info, ops, keys)
		v.Summary = fmt.Sprintf("not linearizable: keys %v", ev.FailedKeys)
		if in.Dir != "" {
			if err := porcupine.VisualizePath(model, info, filepath.Join(in.Dir, ArtifactLinearizability)); err != nil {
				v.Summary += fmt.Sprintf(" (visualization not written: %v)", err)
			} else {
				v.Artifacts = []string{ArtifactLinearizability}
			}
		}
	}
	v.Evidence = toJSON(ev)
	return v
}

// registerOps converts the history to porcupine operations.
func registerOps(s *opSet) ([]porcupine.Operation, linEvidence) {
	var ev linEvidence
	var out []porcupine.Operation
	clients := map[int]int{}
	for _, o := range s.ops {
		t := s.typ(o)
		f := s.f(o)
		if t == history.Fail || (t == history.Info && f == "read") {
			continue
		}
		in, ok := decodeRegister(f, s.input(o), s.output(o), t)
		if !ok {
			ev.Undecodable++
			continue
		}
		ret := s.ret(o)
		if t == history.Info {
			ret = max(s.end, s.call(o)) + 1
		}
		id, seen := clients[s.process(o)]
		if !seen {
			id = len(clients)
			clients[s.process(o)] = id
		}
		out = append(out, porcupine.Operation{ClientId: id, Input: in, Call: s.call(o), Output: in, Return: ret,
			Metadata: s.node(o)})
	}
	return out, ev
}

func decodeRegister(f string, inRaw, outRaw json.RawMessage, t history.Type) (regInput, bool) {
	var a history.RegisterOp
	raw := inRaw
	if f == "read" {
		raw = outRaw
	}
	if json.Unmarshal(raw, &a) != nil {
		return regInput{}, false
	}
	r := regInput{f: f, k: a.K, unknown: t == history.Info}
	switch f {
	case "read":
		if a.V != nil {
			r.v = regState{set: true, v: *a.V}
		}
	case "write":
		if a.V == nil {
			return r, false
		}
		r.v = regState{set: true, v: *a.V}
	case "cas":
		if a.Old == nil || a.New == nil {
			return r, false
		}
		r.old, r.new = *a.Old, *a.New
	default:
		return r, false
	}
	return r, true
}

// step is the sequential register: a read must see the state; a write sets
// it; an ok cas requires the old value; an info cas takes effect when it
// matches (linearized at the end it changes nothing otherwise).
func step(state, input, _ any) (bool, any) {
	s, in := state.(regState), input.(regInput)
	switch in.f {
	case "read":
		return s == in.v, s
	case "write":
		return true, in.v
	}
	if s.set && s.v == in.old {
		return true, regState{set: true, v: in.new}
	}
	return in.unknown, s
}

func registerModel(initial *int64) porcupine.Model {
	init := regState{}
	if initial != nil {
		init = regState{set: true, v: *initial}
	}
	return porcupine.Model{
		Partition: partitionByKey,
		Init:      func() any { return init },
		Step:      step,
		Hash: func(state any) uint64 {
			s := state.(regState)
			if !s.set {
				return 0
			}
			return uint64(s.v)*0x9e3779b97f4a7c15 + 1
		},
		DescribeOperation: func(input, _ any) string {
			in := input.(regInput)
			return describeRegister(in)
		},
		DescribeState: func(state any) string { return describeState(state.(regState)) },
		DescribeOperationMetadata: func(m any) string {
			if s, ok := m.(string); ok && s != "" {
				return "node " + s
			}
			return ""
		},
	}
}

func describeState(s regState) string {
	if !s.set {
		return "null"
	}
	return fmt.Sprint(s.v)
}

func describeRegister(in regInput) string {
	var d string
	switch in.f {
	case "read":
		d = fmt.Sprintf("read(k%d) → %s", in.k, describeState(in.v))
	case "write":
		d = fmt.Sprintf("write(k%d, %d)", in.k, in.v.v)
	default:
		d = fmt.Sprintf("cas(k%d, %d→%d)", in.k, in.old, in.new)
	}
	if in.unknown {
		d += " ?"
	}
	return d
}

// partitionByKey splits the history by key, keys in ascending order.
func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	byKey := map[int64][]porcupine.Operation{}
	for _, o := range ops {
		k := o.Input.(regInput).k
		byKey[k] = append(byKey[k], o)
	}
	keys := partitionKeys(ops)
	out := make([][]porcupine.Operation, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	return out
}

// partitionKeys lists the keys in the order partitionByKey uses.
func partitionKeys(ops []porcupine.Operation) []int64 {
	seen := map[int64]bool{}
	var keys []int64
	for _, o := range ops {
		if k := o.Input.(regInput).k; !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// failedKeys are the keys whose partition has no complete linearization.
func failedKeys(info porcupine.LinearizationInfo, ops []porcupine.Operation, keys []int64) []int64 {
	parts := partitionByKey(ops)
	var out []int64
	for i, lins := range info.PartialLinearizations() {
		if i >= len(keys) {
			break
		}
		full := false
		for _, l := range lins {
			full = full || len(l) == len(parts[i])
		}
		if !full {
			out = append(out, keys[i])
		}
	}
	return out
}
