// Package drill is the local lab's backup-and-restore drill: a disaster
// that destroys nodes' data and a restore that rebuilds the cluster from
// the latest backup the run's schedule (spec.backup) took. Both are fault
// kinds registered whole with the local provider (Kinds).
package drill

import (
	"context"
	"encoding/json"
	"fmt"

	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/targets/local"
)

// Kinds are the drill's fault kinds, for the local provider's registry.
func Kinds() []targets.Kind { return []targets.Kind{disasterKind(), restoreKind()} }

// lab is what the drill needs of a session: the local lab's data operations.
type lab interface {
	targets.Target
	Destroy(ctx context.Context, nodes []string) error
	Destroyed(node string) string
	Restore(ctx context.Context, runID, join string) (local.RestoreInfo, error)
}

func labOf(s targets.Session, kind string) (lab, error) {
	l, ok := s.(lab)
	if !ok {
		return nil, fmt.Errorf("%s: %s is not a local lab", kind, s.Name())
	}
	return l, nil
}

// params are both kinds' ledger records: enough to name what was done.
// Neither can be undone (a disaster is repaired by a restore), so Recover
// needs nothing from them.
type params struct {
	Nodes []string `json:"nodes,omitempty"`
	RunID string   `json:"runId"`
	Join  string   `json:"join,omitempty"` // restore: sst or ist
}

func (p params) json() json.RawMessage {
	b, _ := json.Marshal(p)
	return b
}

func rebuild(kind string) injectors.Factory {
	return func(raw json.RawMessage) (injectors.Fault, error) {
		var p params
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("%s ledger params: %w", kind, err)
		}
		if kind == scenarios.FaultDisaster {
			return &disaster{p: p}, nil
		}
		return &restore{p: p}, nil
	}
}
