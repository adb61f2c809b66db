package local

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"time"
)

// Topologies.
const (
	Galera      = "galera"
	Replication = "replication"
)

// DefaultStateDir is where labs keep their files unless told otherwise
// (Config.StateDir, or the FAULTLINE_STATE_DIR environment variable).
const DefaultStateDir = "/var/lib/faultline"

// MaxNodes is the largest lab: node interface names carry one digit.
const MaxNodes = 9

// Config describes a lab to bring up.
type Config struct {
	Name     string   // ≤ 8 chars [a-z0-9-], starting with a letter
	Topology string   // galera | replication
	Nodes    int      // 1..9
	Zones    []string // per node; default round-robin a, b, c
	Subnet   string   // a /24 inside 198.18.0.0/15; "" = first free /24

	ServerOptions   map[string]string            // my.cnf [mysqld] keys for every node (override ours)
	NodeOptions     map[string]map[string]string // per node name
	ProviderOptions map[string]string            // wsrep_provider_options (override ours)

	SemiSync        bool          // replication: semi-sync, wait point AFTER_SYNC
	SemiSyncTimeout time.Duration // rpl_semi_sync_master_timeout; default 10 s

	Faketime   bool  // run every node under libfaketime with its own offset file
	DiskFaults bool  // serve each data directory through a FUSE layer that can delay or fail file operations (package diskfs)
	DiskSize   int64 // bytes of each node's ext4 image; default 512 MiB

	StateDir string    // default FAULTLINE_STATE_DIR or /var/lib/faultline
	Log      io.Writer // progress lines; nil = discard
}

var (
	nameRE    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,7}$`)
	labRange  = netip.MustParsePrefix("198.18.0.0/15")
	zoneNames = []string{"a", "b", "c"}
)

const defaultDiskSize = 512 << 20

// withDefaults returns c with every optional field filled in.
func (c Config) withDefaults() Config {
	if c.Zones == nil && c.Nodes > 0 {
		c.Zones = make([]string, c.Nodes)
		for i := range c.Zones {
			c.Zones[i] = zoneNames[i%len(zoneNames)]
		}
	}
	if c.SemiSyncTimeout == 0 {
		c.SemiSyncTimeout = 10 * time.Second
	}
	if c.DiskSize == 0 {
		c.DiskSize = defaultDiskSize
	}
	c.StateDir = StateDir(c.StateDir)
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

// StateDir resolves the state directory: dir, else FAULTLINE_STATE_DIR, else
// DefaultStateDir.
func StateDir(dir string) string {
	if dir != "" {
		return dir
	}
	if env := os.Getenv("FAULTLINE_STATE_DIR"); env != "" {
		return env
	}
	return DefaultStateDir
}

// ValidateName checks a lab name: it becomes part of interface names, which
// the kernel limits to 15 bytes.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("lab name %q: want 1-8 characters [a-z0-9-] starting with a letter", name)
	}
	return nil
}

// validate checks a defaulted config; it touches nothing.
func (c Config) validate() error {
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	if c.Topology != Galera && c.Topology != Replication {
		return fmt.Errorf("lab %s: topology %q: want %q or %q", c.Name, c.Topology, Galera, Replication)
	}
	if c.Nodes < 1 || c.Nodes > MaxNodes {
		return fmt.Errorf("lab %s: %d nodes: want 1..%d", c.Name, c.Nodes, MaxNodes)
	}
	if len(c.Zones) != c.Nodes {
		return fmt.Errorf("lab %s: %d zones for %d nodes", c.Name, len(c.Zones), c.Nodes)
	}
	if c.Subnet != "" {
		if _, err := parseSubnet(c.Subnet); err != nil {
			return fmt.Errorf("lab %s: %w", c.Name, err)
		}
	}
	if c.DiskSize < 64<<20 {
		return fmt.Errorf("lab %s: disk size %d bytes: want at least 64 MiB", c.Name, c.DiskSize)
	}
	for node := range c.NodeOptions {
		if nodeIndex(node) < 0 || nodeIndex(node) >= c.Nodes {
			return fmt.Errorf("lab %s: node options for unknown node %q", c.Name, node)
		}
	}
	return nil
}

// parseSubnet accepts only a /24 inside 198.18.0.0/15.
func parseSubnet(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("subnet %q: %w", s, err)
	}
	if p.Bits() != 24 || !p.Addr().Is4() || p.Masked() != p || !labRange.Contains(p.Addr()) {
		return netip.Prefix{}, fmt.Errorf("subnet %q: want a /24 network inside %s", s, labRange)
	}
	return p, nil
}
