package disk

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"faultline.dev/faultline/injectors"
)

// ProbeWrites is the number of synchronous direct 4 KiB writes of a probe.
const ProbeWrites = 8

// WriteLatency is the mean latency of a synchronous direct 4 KiB write to a
// file in dir, made by a dd process that first joins cgroup ("" = stays in
// the harness's cgroup), so the throttle applies to it as to the node.
func WriteLatency(ctx context.Context, dir, cgroup string) (time.Duration, error) {
	file := filepath.Join(dir, ".faultline-io-probe")
	defer os.Remove(file)
	dd := fmt.Sprintf("exec dd if=/dev/zero of=%s bs=4k count=%d oflag=direct,dsync status=none", file, ProbeWrites)
	if cgroup != "" {
		dd = fmt.Sprintf("echo $$ > %s && %s", filepath.Join(cgroup, "cgroup.procs"), dd)
	}
	t0 := time.Now()
	if out, err := exec.CommandContext(ctx, "sh", "-c", dd).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("write probe in %s: %w: %s", dir, err, out)
	}
	return time.Since(t0) / ProbeWrites, nil
}

// Evidence is the write latency on the node's data device outside and
// inside the throttled cgroup.
type Evidence struct {
	Before time.Duration `json:"before"`
	During time.Duration `json:"during"`
}

// Slowed says whether probe writes taking during inside a throttle of l
// (before outside it) show the throttle: with a write IOPS limit, at least
// 40% of the limit's interval (the first write of a throttle slice passes
// at once) and more than outside; otherwise at least twice as slow.
func Slowed(before, during time.Duration, l Limits) bool {
	if iops := l.WriteIOPS; iops > 0 {
		return during > before && during >= time.Second*4/10/time.Duration(iops)
	}
	return during >= 2*before
}

// Verify measures a synchronous write on the node's data mount outside and
// inside the cgroup. With a write IOPS limit it holds when the throttled
// writes take at least 40% of the limit's interval (the first write of a
// throttle slice passes at once) and more than the unthrottled ones;
// otherwise when they are at least twice as slow.
func (f *Throttle) Verify(ctx context.Context) (injectors.Evidence, error) {
	before, err := WriteLatency(ctx, f.p.DataDir, "")
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify disk throttle on %s: %w", f.p.Node, err)
	}
	during, err := WriteLatency(ctx, f.p.DataDir, f.p.Cgroup)
	if err != nil {
		return injectors.Evidence{}, fmt.Errorf("verify disk throttle on %s: %w", f.p.Node, err)
	}
	held := Slowed(before, during, f.p.Limits)
	sum := fmt.Sprintf("disk of %s: sync write %v outside, %v inside the throttle", f.p.Node, before.Round(time.Microsecond), during.Round(time.Microsecond))
	b, _ := json.Marshal(Evidence{before, during})
	return injectors.Evidence{Held: held, Summary: sum, Data: b}, nil
}
