package diskfs

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"faultline.dev/faultline/internal/fsutil"
)

// Operations a fault can be limited to.
const (
	OpRead  = "read"
	OpWrite = "write"
	OpFsync = "fsync"
	OpOpen  = "open"
)

// Ops are the operation names a Control accepts.
var Ops = []string{OpRead, OpWrite, OpFsync, OpOpen}

// Control is the content of a node's control file: the fault the layer
// applies now. The zero Control (the file `{}`, or no file) passes every
// operation through untouched.
type Control struct {
	Delay     string   `json:"delay,omitempty"`     // Go duration added to each matching operation
	ErrorRate float64  `json:"errorRate,omitempty"` // percent (0..100) of matching operations failing with EIO
	Ops       []string `json:"ops,omitempty"`       // read, write, fsync, open; empty = all
	Path      string   `json:"path,omitempty"`      // prefix of the path under the data directory; "" = every file
}

// Active reports whether c changes anything.
func (c Control) Active() bool { return c.Delay != "" && c.Delay != "0s" || c.ErrorRate > 0 }

// Validate checks the delay, the error rate and the operation names.
func (c Control) Validate() error {
	_, err := c.rules()
	return err
}

// rules is a parsed Control.
type rules struct {
	delay time.Duration
	rate  float64 // 0..1
	ops   []string
	path  string
}

func (c Control) rules() (rules, error) {
	r := rules{rate: c.ErrorRate / 100, ops: c.Ops, path: strings.TrimPrefix(c.Path, "/")}
	if c.Delay != "" {
		d, err := time.ParseDuration(c.Delay)
		if err != nil || d < 0 {
			return rules{}, fmt.Errorf("control delay %q: want a non-negative Go duration", c.Delay)
		}
		r.delay = d
	}
	if c.ErrorRate < 0 || c.ErrorRate > 100 {
		return rules{}, fmt.Errorf("control errorRate %v: want 0..100", c.ErrorRate)
	}
	for _, op := range c.Ops {
		if !slices.Contains(Ops, op) {
			return rules{}, fmt.Errorf("control op %q: want one of %v", op, Ops)
		}
	}
	return r, nil
}

// apply delays and possibly fails one operation on path (relative to the
// data directory): it returns EIO or 0.
func (r *rules) apply(op, path string) syscall.Errno {
	if r == nil || (r.delay == 0 && r.rate == 0) {
		return 0
	}
	if len(r.ops) > 0 && !slices.Contains(r.ops, op) || !strings.HasPrefix(path, r.path) {
		return 0
	}
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	if r.rate > 0 && rand.Float64() < r.rate {
		return syscall.EIO
	}
	return 0
}

// ReadControl reads a control file; a missing or empty file is the zero Control.
func ReadControl(path string) (Control, error) {
	var c Control
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) || err == nil && len(strings.TrimSpace(string(b))) == 0 {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("control file %s: %w", path, err)
	}
	_, err = c.rules()
	return c, err
}

// WriteControl replaces a control file in one rename, so the layer never
// reads half of it. The zero Control writes `{}`.
func WriteControl(path string, c Control) error {
	if _, err := c.rules(); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write control: %w", err)
	}
	return nil
}

// PollInterval is how often the layer looks for a changed control file.
const PollInterval = 100 * time.Millisecond

// watcher holds the rules of a control file, re-read when it changes.
type watcher struct {
	file string
	cur  atomic.Pointer[rules]
	seen fileID
	log  func(format string, args ...any)
}

// fileID tells one version of a file from another.
type fileID struct {
	ino   uint64
	size  int64
	mtime int64
}

func statID(path string) fileID {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileID{}
	}
	return fileID{ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano()}
}

// load re-reads the file if it changed; a bad file keeps the rules in force.
func (w *watcher) load() {
	id := statID(w.file)
	if id == w.seen && w.cur.Load() != nil {
		return
	}
	w.seen = id
	c, err := ReadControl(w.file)
	if err != nil {
		w.log("control: %v (keeping the previous rules)", err)
		return
	}
	r, _ := c.rules()
	w.cur.Store(&r)
	w.log("control: delay=%v errorRate=%v%% ops=%v path=%q", r.delay, c.ErrorRate, r.ops, r.path)
}

// poll reloads the control file every PollInterval until done closes.
func (w *watcher) poll(done <-chan struct{}) {
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			w.load()
		}
	}
}

func (w *watcher) apply(op, path string) syscall.Errno { return w.cur.Load().apply(op, path) }
