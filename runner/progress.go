package runner

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Snapshot is what the progress line shows.
type Snapshot struct {
	Elapsed, Total time.Duration
	Window         Window        // completions in the last second
	P99            time.Duration // latency p99 of the last second
	Faults         []string      // active faults
	Roles          map[string]string
}

// Progress prints live progress: one refreshing line on a terminal, plain
// periodic lines otherwise, nothing when quiet.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	quiet    bool
	every    time.Duration
	last     time.Time
	lineOpen bool
}

// NewProgress writes to w; on a terminal it refreshes one line, else it
// prints a line every 5 s.
func NewProgress(w io.Writer, quiet bool) *Progress {
	return &Progress{w: w, tty: isTerminal(w), quiet: quiet, every: 5 * time.Second}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Update shows a snapshot.
func (p *Progress) Update(s Snapshot) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := FormatSnapshot(s)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.lineOpen = true
		return
	}
	if time.Since(p.last) >= p.every {
		p.last = time.Now()
		fmt.Fprintln(p.w, line)
	}
}

// Logf prints a message line (fault injected, healed…) without breaking the
// refreshing line.
func (p *Progress) Logf(format string, args ...any) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lineOpen {
		fmt.Fprint(p.w, "\r\033[K")
		p.lineOpen = false
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

// Done ends the refreshing line.
func (p *Progress) Done() {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lineOpen {
		fmt.Fprintln(p.w)
		p.lineOpen = false
	}
}

// FormatSnapshot renders one progress line.
func FormatSnapshot(s Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s/%s] ok %d/s fail %d/s info %d/s p99 %s",
		s.Elapsed.Truncate(time.Second), s.Total.Truncate(time.Second),
		s.Window.OK, s.Window.Fail, s.Window.Info, s.P99.Round(100*time.Microsecond))
	if len(s.Faults) > 0 {
		fmt.Fprintf(&b, " | faults: %s", strings.Join(s.Faults, ", "))
	}
	if len(s.Roles) > 0 {
		names := make([]string, 0, len(s.Roles))
		for n := range s.Roles {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + "=" + shortRole(s.Roles[n])
		}
		fmt.Fprintf(&b, " | %s", strings.Join(parts, " "))
	}
	return b.String()
}

func shortRole(r string) string {
	switch r {
	case "galera-primary":
		return "P"
	case "galera-nonprimary":
		return "np"
	case "primary":
		return "RW"
	case "replica":
		return "ro"
	case "down":
		return "✗"
	}
	return r
}
