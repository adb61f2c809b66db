// Package faketime knows where libfaketime's multi-threaded library is (the
// one path, per architecture, that the lab preloads into mariadbd and that
// doctor and validation look for) and the shared state it leaves behind a
// killed process.
package faketime

import (
	"os"
	"runtime"
)

// multiarch is Debian's multiarch triplet of each Go architecture.
var multiarch = map[string]string{
	"amd64":   "x86_64-linux-gnu",
	"arm64":   "aarch64-linux-gnu",
	"386":     "i386-linux-gnu",
	"arm":     "arm-linux-gnueabihf",
	"ppc64le": "powerpc64le-linux-gnu",
	"s390x":   "s390x-linux-gnu",
	"riscv64": "riscv64-linux-gnu",
}

// LibFor is where Debian's faketime package installs libfaketimeMT.so.1 on
// Go architecture arch ("" when Debian has no such architecture).
func LibFor(arch string) string {
	t, ok := multiarch[arch]
	if !ok {
		return ""
	}
	return "/usr/lib/" + t + "/faketime/libfaketimeMT.so.1"
}

// Lib is the library's path on this machine's architecture.
func Lib() string { return LibFor(runtime.GOARCH) }

// Present reports whether the library is installed.
func Present() bool {
	p := Lib()
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}
