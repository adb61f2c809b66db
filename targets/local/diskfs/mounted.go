package diskfs

import (
	"os"
	"strings"
)

// Mounted reports whether the layer is mounted at dir.
func Mounted(dir string) bool {
	for _, m := range Mounts() {
		if m == dir {
			return true
		}
	}
	return false
}

// Mounts lists the mount points of every layer on the machine.
func Mounts() []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if ok && len(fields) > 4 && len(tail) > 1 && strings.HasPrefix(tail[0], "fuse") && tail[1] == FsName {
			out = append(out, unescape(fields[4]))
		}
	}
	return out
}

func unescape(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}
