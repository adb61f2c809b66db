// Package doctor reports what this host supports for each fault family, so a
// user learns before a run which faults can be injected here and why not.
package doctor

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"faultline.dev/faultline/internal/galera"

	"faultline.dev/faultline/internal/hostcaps"

	"github.com/google/nftables"
	"github.com/vishvananda/netns"
	"sigs.k8s.io/yaml"

	"faultline.dev/faultline/targets/local"
)

// Check is one capability of the host.
type Check struct {
	Family string `json:"family"` // network, clock, disk, process, lab, kubernetes
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Run performs every check. The fault capabilities (netem, NFQUEUE,
// libfaketime, blkio, io.max, FUSE) come from hostcaps, the same probe
// validation uses.
func Run(ctx context.Context) []Check {
	cs := []Check{checkRoot(), checkNetNS(), checkNftables()}
	for _, c := range hostcaps.Probe(ctx) {
		cs = append(cs, Check{Family: c.Family, Name: c.Name, OK: c.OK, Detail: c.Detail})
	}
	cs = append(cs, checkSignals(), checkBinary("lab", "mariadbd", "MariaDB server", "apt-get install mariadb-server"),
		checkGalera(),
		checkBinary("lab", "mkfs.ext4", "ext4 images for node disks", "apt-get install e2fsprogs"),
		checkBinary("lab", "rsync", "Galera SST by rsync", "apt-get install rsync"),
		checkForwarding(), checkKubeconfig(), checkDocker(), checkPrivileged())
	return cs
}

// Write prints checks as a table with ✓/✗.
func Write(w io.Writer, cs []Check) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tFAMILY\tCAPABILITY\tDETAIL")
	for _, c := range cs {
		mark := "✓"
		if !c.OK {
			mark = "✗"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark, c.Family, c.Name, c.Detail)
	}
	tw.Flush()
}

func checkRoot() Check {
	c := Check{Family: "host", Name: "root"}
	c.OK = os.Geteuid() == 0
	c.Detail = "running as root"
	if !c.OK {
		c.Detail = "not root: the local lab and kernel faults need root (sudo)"
	}
	return c
}

// inScratchNetNS runs f in a new, unnamed network namespace on a locked thread.
func inScratchNetNS(f func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return err
	}
	defer orig.Close()
	ns, err := netns.New()
	if err != nil {
		return err
	}
	defer ns.Close()
	defer netns.Set(orig) //nolint:errcheck // best effort; the thread stays locked on failure
	return f()
}

func checkNetNS() Check {
	c := Check{Family: "network", Name: "network namespaces"}
	if err := inScratchNetNS(func() error { return nil }); err != nil {
		c.Detail = "cannot create a network namespace: " + err.Error()
		return c
	}
	c.OK, c.Detail = true, "can create network namespaces (partition, latency, bandwidth, zone loss)"
	return c
}

func checkNftables() Check {
	c := Check{Family: "network", Name: "nftables"}
	err := inScratchNetNS(func() error {
		conn, err := nftables.New()
		if err != nil {
			return err
		}
		_, err = conn.ListTables()
		return err
	})
	if err != nil {
		c.Detail = "nftables netlink unavailable: " + err.Error()
		return c
	}
	c.OK, c.Detail = true, "nf_tables answers over netlink (partitions)"
	return c
}

func checkSignals() Check {
	return Check{Family: "process", Name: "signals", OK: true, Detail: "SIGKILL/SIGSTOP/SIGCONT to lab processes (kill, pause, restart)"}
}

func checkBinary(family, name, what, fix string) Check {
	c := Check{Family: family, Name: name}
	p, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin"} {
			if _, err2 := os.Stat(filepath.Join(dir, name)); err2 == nil {
				p, err = filepath.Join(dir, name), nil
				break
			}
		}
	}
	if err != nil {
		c.Detail = fmt.Sprintf("%s not found (%s)", what, fix)
		return c
	}
	c.OK, c.Detail = true, p
	if name == "mariadbd" {
		if out, err := exec.Command(p, "--version").Output(); err == nil {
			c.Detail = strings.TrimSpace(string(out))
		}
	}
	return c
}

// checkGalera finds the Galera provider the local lab loads.
func checkGalera() Check {
	c := Check{Family: "lab", Name: "galera-4"}
	if p := galera.Provider(); p != "" {
		c.OK, c.Detail = true, p
		return c
	}
	c.Detail = fmt.Sprintf("libgalera_smm.so missing from %s (apt-get install galera-4)", strings.Join(galera.Providers, ", "))
	return c
}

// checkForwarding reports how the host firewall treats bridged lab traffic
// (Docker sets FORWARD to DROP) and the rule each lab adds for it.
func checkForwarding() Check {
	c := Check{Family: "lab", Name: "forwarding"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	detail, err := local.Forwarding(ctx)
	if err != nil {
		c.Detail = "cannot read the iptables filter tables: " + err.Error()
		return c
	}
	c.OK, c.Detail = true, detail
	return c
}

func checkKubeconfig() Check {
	c := Check{Family: "kubernetes", Name: "kubeconfig"}
	path := os.Getenv("KUBECONFIG")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".kube", "config")
	}
	path = strings.Split(path, string(os.PathListSeparator))[0]
	b, err := os.ReadFile(path)
	if err != nil {
		c.Detail = "no kubeconfig (" + path + "): Kubernetes targets unavailable"
		return c
	}
	var kc struct {
		Clusters []struct {
			Cluster struct {
				Server string `json:"server"`
			} `json:"cluster"`
		} `json:"clusters"`
	}
	if err := yaml.Unmarshal(b, &kc); err != nil || len(kc.Clusters) == 0 {
		c.Detail = path + ": no cluster in kubeconfig"
		return c
	}
	u, err := url.Parse(kc.Clusters[0].Cluster.Server)
	if err != nil || u.Host == "" {
		c.Detail = path + ": bad server URL"
		return c
	}
	conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		c.Detail = fmt.Sprintf("%s: API server %s unreachable: %v", path, u.Host, err)
		return c
	}
	conn.Close()
	c.OK, c.Detail = true, fmt.Sprintf("%s: API server %s reachable", path, u.Host)
	return c
}
