package local

import "context"

// EnsureForward adds lab's missing forwarding rules and says how many it added.
func EnsureForward(ctx context.Context, lab string) (int, error) {
	added, err := ensureForward(ctx, lab)
	return len(added), err
}
