package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	rev := func(r, mod string) *debug.BuildInfo {
		return &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: r}, {Key: "vcs.modified", Value: mod}}}
	}
	for _, c := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "dev"},
		{&debug.BuildInfo{}, true, "dev"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "v1.2.3"},
		{rev("0123456789abcdef", "false"), true, "0123456789ab"},
		{rev("0123456789abcdef", "true"), true, "0123456789ab+dirty"},
	} {
		if got := fromBuildInfo(c.bi, c.ok); got != c.want {
			t.Errorf("fromBuildInfo(%+v) = %q, want %q", c.bi, got, c.want)
		}
	}
}

func TestVersionSetAtBuildTimeWins(t *testing.T) {
	old := version
	defer func() { version = old }()
	version = "v9-test"
	if got := Version(); got != "v9-test" {
		t.Fatalf("Version() = %q with the build-time variable set", got)
	}
}
