package local

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ok := Config{Name: "demo", Topology: Galera, Nodes: 3}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // substring of the error, "" = valid
	}{
		{"ok", func(*Config) {}, ""},
		{"replication", func(c *Config) { c.Topology = Replication; c.Nodes = 9 }, ""},
		{"lab subnet", func(c *Config) { c.Subnet = "198.19.7.0/24" }, ""},
		{"subnet outside range", func(c *Config) { c.Subnet = "10.0.0.0/24" }, "inside 198.18.0.0/15"},
		{"subnet not /24", func(c *Config) { c.Subnet = "198.18.0.0/16" }, "want a /24"},
		{"subnet host bits", func(c *Config) { c.Subnet = "198.18.0.5/24" }, "want a /24"},
		{"no nodes", func(c *Config) { c.Nodes = 0 }, "0 nodes"},
		{"ten nodes", func(c *Config) { c.Nodes = 10 }, "10 nodes"},
		{"upper case", func(c *Config) { c.Name = "Demo" }, "lab name"},
		{"too long", func(c *Config) { c.Name = "abcdefghi" }, "lab name"},
		{"leading digit", func(c *Config) { c.Name = "1abc" }, "lab name"},
		{"empty name", func(c *Config) { c.Name = "" }, "lab name"},
		{"topology", func(c *Config) { c.Topology = "mesh" }, "topology"},
		{"zones", func(c *Config) { c.Zones = []string{"a"} }, "1 zones for 3 nodes"},
		{"node options", func(c *Config) { c.NodeOptions = map[string]map[string]string{"n4": {}} }, "unknown node"},
		{"small disk", func(c *Config) { c.DiskSize = 1 << 20 }, "disk size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.withDefaults().validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("validate: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Setenv("FAULTLINE_STATE_DIR", "/srv/fl")
	c := Config{Name: "demo", Topology: Galera, Nodes: 5}.withDefaults()
	if got := strings.Join(c.Zones, ","); got != "a,b,c,a,b" {
		t.Errorf("zones %s, want round-robin a,b,c,a,b", got)
	}
	if c.StateDir != "/srv/fl" || c.SemiSyncTimeout != 10*time.Second || c.DiskSize != defaultDiskSize {
		t.Errorf("defaults: %+v", c)
	}
}

func TestNames(t *testing.T) {
	n := names{lab: "demo", stateDir: "/var/lib/faultline"}
	for got, want := range map[string]string{
		n.bridge():       "fl-demo",
		n.netns("n2"):    "fl-demo-n2",
		n.hostLink(1):    "fl" + "demo2",
		n.dataDir("n2"):  "/var/lib/faultline/labs/demo/n2/data/db",
		n.mountDir("n2"): "/var/lib/faultline/labs/demo/n2/data",
		n.cgroupPrefix(): "faultline-demo",
		nodeName(8):      "n9",
		n.stateFile():    "/var/lib/faultline/labs/demo/lab.json",
		n.faketime("n1"): "/var/lib/faultline/labs/demo/n1/faketime",
		plan{netip.MustParsePrefix("198.18.4.0/24")}.node(2).String(): "198.18.4.13",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	// the longest name still fits IFNAMSIZ-1 = 15 bytes
	long := names{lab: "abcdefgh"}
	if len(long.hostLink(8)) > 15 || len(long.bridge()) > 15 {
		t.Errorf("interface names too long: %s %s", long.hostLink(8), long.bridge())
	}
}

func TestOwnership(t *testing.T) {
	for _, tc := range []struct {
		lab, link string
		want      bool
	}{
		{"demo", "fl-demo", true},
		{"demo", "fldemo1", true},
		{"demo", "fldemo9", true},
		{"demo", "fldemo11", false}, // lab demo1's veth
		{"demo1", "fldemo11", true},
		{"demo", "fl-demo1", false},
		{"demo", "eth0", false},
		{"", "fl-demo", true},
		{"", "fldemo3", true},
		{"", "flannel.1", false},
		{"", "eth0", false},
	} {
		if got := ownsLink(tc.lab, tc.link); got != tc.want {
			t.Errorf("ownsLink(%q, %q) = %v", tc.lab, tc.link, got)
		}
	}
	for _, tc := range []struct {
		lab, ns string
		want    bool
	}{
		{"demo", "fl-demo-n1", true},
		{"demo", "fl-demo-x-n1", false},
		{"demo-x", "fl-demo-x-n1", true},
		{"", "fl-demo-x-n1", true},
		{"", "fl-demo", false},
		{"", "other", false},
	} {
		if got := ownsNetns(tc.lab, tc.ns); got != tc.want {
			t.Errorf("ownsNetns(%q, %q) = %v", tc.lab, tc.ns, got)
		}
	}
	o := owner{lab: "demo", stateDir: "/var/lib/faultline"}
	if !o.path("/var/lib/faultline/labs/demo/n1/disk.img") || o.path("/var/lib/faultline/labs/demo2/n1/disk.img") ||
		o.path("/srv/labs/demo/n1/disk.img") || !(owner{lab: "demo"}).path("/srv/labs/demo/n1/my.cnf") {
		t.Error("owner.path matches the wrong paths")
	}
	if !o.cgroup("faultline-demo-n1") || o.cgroup("faultline-demo2") || !(owner{}).cgroup("faultline-x") {
		t.Error("owner.cgroup matches the wrong names")
	}
}

func TestOverlapping(t *testing.T) {
	for p, want := range map[string]int{
		"0.0.0.0/0":     0, // a default route does not use a lab subnet
		"198.0.0.0/8":   0,
		"198.18.0.0/15": 512,
		"198.18.3.0/24": 1,
		"198.18.3.7/32": 1,
		"198.19.0.0/23": 2,
		"10.0.0.0/24":   0,
		"198.20.0.0/16": 0,
	} {
		if got := len(overlapping(netip.MustParsePrefix(p))); got != want {
			t.Errorf("overlapping(%s) = %d subnets, want %d", p, got, want)
		}
	}
}
