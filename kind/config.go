// Package kind brings up and tears down local Kubernetes clusters for
// faultline's Kubernetes target, through kind's library and Docker: a
// control plane and workers spread over zones (label
// topology.kubernetes.io/zone), on addresses inside 198.19.0.0/16 only,
// from the node image kind/images/build.sh builds without any registry.
// It also loads local images into the nodes and applies manifests.
package kind

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

// DefaultNodeImage is the node image kind/images/build.sh builds.
const DefaultNodeImage = "faultline.dev/kind-node:v1.34.4"

// ZoneLabel is the label every worker carries with its zone.
const ZoneLabel = "topology.kubernetes.io/zone"

// dockerRange holds every address Docker may use for faultline;
// kindNetwork is the Docker network kind's nodes live on.
var (
	dockerRange = netip.MustParsePrefix("198.19.0.0/16")
	kindNetwork = netip.MustParsePrefix("198.19.1.0/24")
)

// Config describes a cluster; zero fields take the defaults below.
type Config struct {
	Name           string                        // default "faultline"
	Zones          []string                      // default {"a","b","c"}; label topology.kubernetes.io/zone on workers
	WorkersPerZone int                           // default 2
	NodeImage      string                        // default DefaultNodeImage ("faultline.dev/kind-node:v1.34.4")
	PodSubnet      string                        // default "198.19.128.0/18"
	ServiceSubnet  string                        // default "198.19.192.0/20"
	Logf           func(format string, a ...any) // progress; nil = quiet
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "faultline"
	}
	if len(c.Zones) == 0 {
		c.Zones = []string{"a", "b", "c"}
	}
	if c.WorkersPerZone == 0 {
		c.WorkersPerZone = 2
	}
	if c.NodeImage == "" {
		c.NodeImage = DefaultNodeImage
	}
	if c.PodSubnet == "" {
		c.PodSubnet = "198.19.128.0/18"
	}
	if c.ServiceSubnet == "" {
		c.ServiceSubnet = "198.19.192.0/20"
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)
	zoneRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$`)
)

// validate checks a defaulted configuration.
func (c Config) validate() error {
	if !nameRE.MatchString(c.Name) {
		return fmt.Errorf("cluster name %q: want lower-case letters, digits and '-' (at most 40)", c.Name)
	}
	seen := map[string]bool{}
	for _, z := range c.Zones {
		if !zoneRE.MatchString(z) || seen[z] {
			return fmt.Errorf("cluster %s: zone %q is not a label value or is repeated", c.Name, z)
		}
		seen[z] = true
	}
	if c.WorkersPerZone < 1 {
		return fmt.Errorf("cluster %s: WorkersPerZone %d < 1", c.Name, c.WorkersPerZone)
	}
	pods, err := subnet("PodSubnet", c.PodSubnet)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.Name, err)
	}
	svcs, err := subnet("ServiceSubnet", c.ServiceSubnet)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.Name, err)
	}
	if pods.Overlaps(svcs) {
		return fmt.Errorf("cluster %s: PodSubnet %s overlaps ServiceSubnet %s", c.Name, pods, svcs)
	}
	return nil
}

// subnet parses an IPv4 prefix inside dockerRange, apart from kindNetwork.
func subnet(field, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p != p.Masked() {
		return p, fmt.Errorf("%s %q: want an IPv4 network such as 198.19.128.0/18", field, s)
	}
	if !dockerRange.Contains(p.Addr()) || p.Bits() < dockerRange.Bits() {
		return p, fmt.Errorf("%s %s: outside %s, the only range faultline's Docker uses", field, p, dockerRange)
	}
	if p.Overlaps(kindNetwork) {
		return p, fmt.Errorf("%s %s overlaps the kind node network %s", field, p, kindNetwork)
	}
	return p, nil
}

// workers is the number of worker nodes c describes.
func (c Config) workers() int { return len(c.Zones) * c.WorkersPerZone }

// kindConfig is the v1alpha4 cluster configuration of c: one control
// plane, then WorkersPerZone workers per zone, each labelled with its zone.
func (c Config) kindConfig() *v1alpha4.Cluster {
	cfg := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:     c.Name,
		Networking: v1alpha4.Networking{
			IPFamily:         v1alpha4.IPv4Family,
			APIServerAddress: "127.0.0.1",
			PodSubnet:        c.PodSubnet,
			ServiceSubnet:    c.ServiceSubnet,
		},
		Nodes: []v1alpha4.Node{{Role: v1alpha4.ControlPlaneRole, Image: c.NodeImage}},
	}
	for _, z := range c.Zones {
		for range c.WorkersPerZone {
			cfg.Nodes = append(cfg.Nodes, v1alpha4.Node{
				Role: v1alpha4.WorkerRole, Image: c.NodeImage, Labels: map[string]string{ZoneLabel: z},
			})
		}
	}
	return cfg
}

var errNoDocker = errors.New("no Docker daemon answers (start one: hack/dockerd.sh start)")
