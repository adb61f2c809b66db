package doctor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// DockerSocket is where kind finds the Docker daemon; a variable for tests.
var DockerSocket = "/var/run/docker.sock"

// capSysResource is CAP_SYS_RESOURCE's bit in the capability sets.
const capSysResource = 24

// checkDocker reports whether a Docker daemon answers on its socket: kind
// clusters (nightly CI) need one.
func checkDocker() Check {
	c := Check{Family: "kubernetes", Name: "docker"}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", DockerSocket)
	}}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		c.Detail = fmt.Sprintf("no Docker daemon on %s (kind clusters need one: apt-get install docker.io): %v", DockerSocket, err)
		return c
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.Detail = fmt.Sprintf("Docker daemon on %s answers %s to /_ping", DockerSocket, resp.Status)
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("Docker daemon answers on %s (API %s)", DockerSocket, resp.Header.Get("Api-Version"))
	return c
}

// checkPrivileged reports whether this host can run privileged containers,
// which kind nodes are: a capability bounding set without CAP_SYS_RESOURCE
// (some sandboxes) makes `docker run --privileged` fail "unable to apply
// caps" and every pod sandbox inside a kind node fail.
func checkPrivileged() Check {
	c := Check{Family: "kubernetes", Name: "privileged containers"}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		c.Detail = "cannot read /proc/self/status: " + err.Error()
		return c
	}
	ok, bnd := hasBoundingCap(string(b), capSysResource)
	if !ok {
		c.Detail = fmt.Sprintf("capability bounding set %s lacks CAP_SYS_RESOURCE: privileged containers (kind nodes) fail here unless dockerd's runtime drops that capability and containerd restricts oom_score_adj", bnd)
		return c
	}
	c.OK, c.Detail = true, "capability bounding set has CAP_SYS_RESOURCE (privileged containers, kind nodes)"
	return c
}

// hasBoundingCap reads the CapBnd line of a /proc/PID/status text and
// reports whether capability bit is in it, with the set as printed.
func hasBoundingCap(status string, bit uint) (bool, string) {
	for _, line := range strings.Split(status, "\n") {
		v, ok := strings.CutPrefix(line, "CapBnd:")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		n, err := strconv.ParseUint(v, 16, 64)
		return err == nil && n&(1<<bit) != 0, v
	}
	return false, "(none)"
}
