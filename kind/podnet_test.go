package kind

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestMisplacedPodsAreThoseOutsideTheirNodesRange(t *testing.T) {
	ranges := map[string]netip.Prefix{
		"worker2": netip.MustParsePrefix("198.19.132.0/24"),
		"worker3": netip.MustParsePrefix("198.19.129.0/24"),
	}
	pod := func(name, node, ip string, host bool) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:   corev1.PodSpec{NodeName: node, HostNetwork: host},
			Status: corev1.PodStatus{PodIP: ip}}
	}
	deleting := pod("going", "worker3", "198.19.132.9", false)
	deleting.DeletionTimestamp = &metav1.Time{}
	got := misplacedPods([]corev1.Pod{
		pod("galera-1", "worker3", "198.19.132.2", false), // worker2's range on worker3
		pod("galera-2", "worker2", "198.19.132.3", false),
		pod("mariadb-2", "worker3", "198.19.129.4", false),
		pod("kindnet", "worker3", "198.19.1.3", true), // the host's address
		pod("pending", "worker3", "", false),
		pod("unscheduled", "", "198.19.7.7", false),
		deleting,
	}, ranges)
	if len(got) != 1 || got[0].Name != "galera-1" {
		var names []string
		for _, p := range got {
			names = append(names, p.Name)
		}
		t.Fatalf("misplaced = %v, want [galera-1]", names)
	}
}
