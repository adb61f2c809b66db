package disk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"faultline.dev/faultline/injectors"
)

// ProbeName is the file a disk-fault probe creates (after the fault's path
// prefix, so the fault applies to it) and removes.
const ProbeName = "faultline-probe"

// maxErrorProbes bounds the probes Verify makes looking for an EIO.
const (
	maxErrorProbes = 200
	errorProbeTime = 10 * time.Second
)

// probeResult is one probe: open+create, 4 KiB write, fsync, then a direct
// open and 4 KiB read, each going through the layer.
type probeResult struct {
	took time.Duration
	err  error // the first failure, nil if none
}

// FaultEvidence is what a disk-fault Verify measured.
type FaultEvidence struct {
	Probe  string        `json:"probe"`
	Before time.Duration `json:"before,omitempty"` // probe time just before the fault (0 = not measured)
	During time.Duration `json:"during"`           // first probe time under the fault
	Probes int           `json:"probes"`
	EIO    int           `json:"eio"`
}

func (f *Fault) probePath() string { return filepath.Join(f.p.Dir, f.p.Path+ProbeName) }

// probeOnce runs one probe; err is for a probe that could not run at all
// (its directory is missing), r.err for an operation that failed.
func (f *Fault) probeOnce(ctx context.Context) (probeResult, error) {
	if err := ctx.Err(); err != nil {
		return probeResult{}, err
	}
	path := f.probePath()
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return probeResult{}, fmt.Errorf("probe directory: %w", err)
	}
	defer os.Remove(path)
	t0 := time.Now()
	err := probeOps(path)
	return probeResult{took: time.Since(t0), err: err}, nil
}

func probeOps(path string) error {
	fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	buf := alignedBlock()
	_, err = unix.Pwrite(fd, buf, 0)
	if err == nil {
		if err = unix.Fsync(fd); err != nil {
			err = fmt.Errorf("fsync: %w", err)
		}
	} else {
		err = fmt.Errorf("write: %w", err)
	}
	unix.Close(fd)
	if err != nil {
		return err
	}
	// O_DIRECT: the read reaches the layer instead of the page cache
	fd, err = unix.Open(path, unix.O_RDONLY|unix.O_DIRECT|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EINVAL) {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer unix.Close(fd)
	if _, err := unix.Pread(fd, buf, 0); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

// alignedBlock is a 4 KiB buffer aligned for direct I/O.
func alignedBlock() []byte {
	const size = 4096
	raw := make([]byte, 2*size)
	off := int(uintptr(unsafe.Pointer(&raw[0])) & (size - 1))
	if off != 0 {
		off = size - off
	}
	return raw[off : off+size]
}

// Verify probes the layer under the fault. A delay holds when a probe took
// at least half the delay longer than the baseline measured before Inject
// (or than nothing, when rebuilt); an error rate holds once a probe
// operation failed with EIO (up to maxErrorProbes probes).
func (f *Fault) Verify(ctx context.Context) (injectors.Evidence, error) {
	ev := FaultEvidence{Probe: f.probePath()}
	if f.before != nil {
		ev.Before = f.before.took
	}
	deadline := time.Now().Add(errorProbeTime)
	for ev.Probes < maxErrorProbes {
		r, err := f.probeOnce(ctx)
		if err != nil {
			return injectors.Evidence{}, fmt.Errorf("verify disk fault on %s: %w", f.p.Node, err)
		}
		if ev.Probes == 0 {
			ev.During = r.took
		}
		ev.Probes++
		if r.err != nil && !errors.Is(r.err, syscall.EIO) {
			return injectors.Evidence{}, fmt.Errorf("verify disk fault on %s: probe %s: %w", f.p.Node, ev.Probe, r.err)
		}
		if r.err != nil {
			ev.EIO++
		}
		if f.p.ErrorRate == 0 || ev.EIO > 0 || time.Now().After(deadline) {
			break
		}
	}
	delayed := f.p.Delay == 0 || ev.During-ev.Before >= f.p.Delay/2
	failed := f.p.ErrorRate == 0 || ev.EIO > 0
	b, _ := json.Marshal(ev)
	return injectors.Evidence{Held: delayed && failed, Summary: f.summary(ev), Data: b}, nil
}

func (f *Fault) summary(ev FaultEvidence) string {
	s := fmt.Sprintf("disk of %s: probe %v", f.p.Node, ev.During.Round(time.Microsecond))
	if ev.Before > 0 {
		s += fmt.Sprintf(" (%v before the fault)", ev.Before.Round(time.Microsecond))
	}
	if f.p.ErrorRate > 0 {
		s += fmt.Sprintf(", EIO in %d of %d probes", ev.EIO, ev.Probes)
	}
	return s
}
