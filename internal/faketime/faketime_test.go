package faketime

import "testing"

func TestLibFor(t *testing.T) {
	for arch, want := range map[string]string{
		"amd64": "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
		"arm64": "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
		"wasm":  "",
	} {
		if got := LibFor(arch); got != want {
			t.Errorf("LibFor(%s) = %q, want %q", arch, got, want)
		}
	}
}
