// Command kindnet is the CNI daemon of the locally built kind node image,
// run under the image name of kind's kindnetd (which is not buildable from
// the Go module proxy). On every node it writes a ptp + host-local CNI
// configuration for the node's pod CIDR and routes every other node's pod
// CIDR through that node's InternalIP: the flat pod network kind's own
// daemon gives, without masquerading or NetworkPolicy.
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/vishvananda/netlink"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const confFile = "/etc/cni/net.d/10-kindnet.conflist"

const conf = `{"cniVersion":"0.3.1","name":"kindnet","plugins":[` +
	`{"type":"ptp","ipMasq":false,"mtu":1500,"ipam":{"type":"host-local","dataDir":"/run/cni-ipam-state",` +
	`"routes":[{"dst":"0.0.0.0/0"}],"ranges":[[{"subnet":"%s"}]]}},` +
	`{"type":"portmap","capabilities":{"portMappings":true}}]}`

func main() {
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	hostIP := os.Getenv("HOST_IP")
	for {
		if err := sync(cs, hostIP); err != nil {
			log.Print(err)
		}
		time.Sleep(5 * time.Second)
	}
}

func sync(cs kubernetes.Interface, hostIP string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	for _, n := range nodes.Items {
		ip, cidr := internalIP(n), n.Spec.PodCIDR
		if ip == "" || cidr == "" {
			continue
		}
		if ip == hostIP {
			if err := writeConf(cidr); err != nil {
				return err
			}
			continue
		}
		_, dst, err := net.ParseCIDR(cidr)
		if err != nil {
			return fmt.Errorf("node %s pod CIDR %q: %w", n.Name, cidr, err)
		}
		if err := netlink.RouteReplace(&netlink.Route{Dst: dst, Gw: net.ParseIP(ip)}); err != nil {
			return fmt.Errorf("route %s via %s: %w", cidr, ip, err)
		}
	}
	return nil
}

func internalIP(n corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

// writeConf replaces the CNI configuration atomically when it changed.
func writeConf(cidr string) error {
	want := fmt.Sprintf(conf, cidr)
	if got, err := os.ReadFile(confFile); err == nil && string(got) == want {
		return nil
	}
	tmp := filepath.Join(filepath.Dir(confFile), ".kindnet.tmp")
	if err := os.WriteFile(tmp, []byte(want), 0o644); err != nil {
		return err
	}
	log.Printf("pod CIDR %s: wrote %s", cidr, confFile)
	return os.Rename(tmp, confFile)
}
