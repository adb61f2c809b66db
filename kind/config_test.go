package kind

import (
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKindConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Name != "faultline" || !reflect.DeepEqual(c.Zones, []string{"a", "b", "c"}) || c.WorkersPerZone != 2 ||
		c.NodeImage != DefaultNodeImage || c.PodSubnet != "198.19.128.0/18" || c.ServiceSubnet != "198.19.192.0/20" {
		t.Fatalf("defaults = %+v", c)
	}
	if err := c.validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	k := c.kindConfig()
	if len(k.Nodes) != 7 || k.Nodes[0].Role != "control-plane" || k.Networking.APIServerAddress != "127.0.0.1" {
		t.Fatalf("kind config nodes/networking = %+v / %+v", k.Nodes, k.Networking)
	}
	zones := map[string]int{}
	for _, n := range k.Nodes[1:] {
		if n.Role != "worker" || n.Image != DefaultNodeImage {
			t.Errorf("worker node = %+v", n)
		}
		zones[n.Labels[ZoneLabel]]++
	}
	if !reflect.DeepEqual(zones, map[string]int{"a": 2, "b": 2, "c": 2}) {
		t.Errorf("workers per zone = %v", zones)
	}
	if _, labelled := k.Nodes[0].Labels[ZoneLabel]; labelled {
		t.Error("the control plane carries a zone label")
	}
}

func TestKindConfigValidation(t *testing.T) {
	bad := map[string]Config{
		"upper-case name":      {Name: "Faultline"},
		"repeated zone":        {Zones: []string{"a", "a"}},
		"zone not a label":     {Zones: []string{"a b"}},
		"negative workers":     {WorkersPerZone: -1},
		"pods not CIDR":        {PodSubnet: "198.19.128.0"},
		"pods outside 198.19":  {PodSubnet: "10.244.0.0/16"},
		"services 172.17":      {ServiceSubnet: "172.17.0.0/16"},
		"wider than /16":       {PodSubnet: "198.18.0.0/15"},
		"pods over services":   {PodSubnet: "198.19.192.0/19"},
		"pods on kind network": {PodSubnet: "198.19.0.0/20"},
		"unmasked prefix":      {PodSubnet: "198.19.128.1/18"},
	}
	for name, c := range bad {
		if err := c.withDefaults().validate(); err == nil {
			t.Errorf("%s: %+v validated", name, c)
		}
	}
}

func TestKindNetworkSubnets(t *testing.T) {
	if err := checkSubnets([]string{"198.19.1.0/24", "fc00:f853:ccd:e793::/64"}); err != nil {
		t.Errorf("kind network of hack/dockerd.sh refused: %v", err)
	}
	for _, s := range []string{"172.18.0.0/16", "198.18.0.0/24", "198.0.0.0/8"} {
		if err := checkSubnets([]string{s}); err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("subnet %s: err = %v, want a refusal naming it", s, err)
		}
	}
}

// Without a Docker daemon Up returns within seconds and creates nothing:
// neither a kubeconfig nor a kind network (nothing could be created anyway
// on a dead daemon; the cache directory shows Up stopped before any step).
func TestKindUpWithoutDocker(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Fatal("the docker CLI is needed for this test: ", err)
	}
	cache := t.TempDir()
	t.Setenv("FAULTLINE_CACHE", cache)
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "dead.sock"))
	start := time.Now()
	cl, err := Up(context.Background(), Config{Name: "faultline-nodocker"})
	if err == nil || cl != nil {
		t.Fatalf("Up without Docker = %v, %v; want an error", cl, err)
	}
	if !strings.Contains(err.Error(), "no Docker daemon answers") {
		t.Errorf("error %q does not say Docker is missing", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Up took %s to fail", d)
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "*")); len(m) != 0 {
		t.Errorf("Up created %v", m)
	}
}
