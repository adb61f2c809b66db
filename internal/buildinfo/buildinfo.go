// Package buildinfo holds faultline's one version string: what `faultline
// version` prints and what every run records in run.json.
package buildinfo

import "runtime/debug"

// version is set at build time with
// -ldflags "-X faultline.dev/faultline/internal/buildinfo.version=…".
var version = ""

// Version is the version set at build time, else the commit the binary was
// built from (as Go's build information records it, "+dirty" when the tree
// had changes), else "dev".
func Version() string {
	if version != "" {
		return version
	}
	return fromBuildInfo(debug.ReadBuildInfo())
}

func fromBuildInfo(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "dev"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}
