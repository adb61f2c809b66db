package doctor

import (
	"path/filepath"
	"strings"
	"testing"
)

// The sandbox quirk that breaks privileged containers is told apart from
// a normal host by the bounding set alone.
func TestHasBoundingCap(t *testing.T) {
	for _, c := range []struct {
		status string
		want   bool
	}{
		{"Name:\tx\nCapBnd:\t000001ffffffffff\n", true},
		{"Name:\tx\nCapBnd:\t000001fffeffffff\n", false}, // this sandbox: bit 24 missing
		{"Name:\tx\n", false},
	} {
		if got, _ := hasBoundingCap(c.status, capSysResource); got != c.want {
			t.Errorf("hasBoundingCap(%q) = %v, want %v", c.status, got, c.want)
		}
	}
}

func TestNoDockerSaysHowToGetOne(t *testing.T) {
	old := DockerSocket
	defer func() { DockerSocket = old }()
	DockerSocket = filepath.Join(t.TempDir(), "docker.sock")
	if c := checkDocker(); c.OK || !strings.Contains(c.Detail, "apt-get install docker.io") {
		t.Fatalf("%+v", c)
	}
}
