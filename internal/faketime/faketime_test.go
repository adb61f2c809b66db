package faketime

import (
	"os"
	"path/filepath"
	"testing"
)

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

func TestRemoveSharedLeavesAMappedPairAndRemovesAnUnusedOne(t *testing.T) {
	dir, proc := t.TempDir(), t.TempDir()
	sem, shm := SharedFiles(dir, 4242)
	for _, f := range []string{sem, shm} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// a child of the killed process still maps the shared memory
	if err := os.MkdirAll(filepath.Join(proc, "4250"), 0o755); err != nil {
		t.Fatal(err)
	}
	maps := filepath.Join(proc, "4250", "maps")
	line := "7f1c2a000000-7f1c2a001000 rw-s 00000000 00:1a 123 " + shm + "\n"
	if err := os.WriteFile(maps, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if removed, err := removeShared(dir, proc, 4242); removed || err != nil {
		t.Fatalf("with a process mapping it: removed %v, err %v; want left alone", removed, err)
	}
	if _, err := os.Stat(sem); err != nil {
		t.Fatalf("semaphore removed while its memory is mapped: %v", err)
	}
	// another pid's pair, same prefix, must not count as a mapping
	other := "7f1c2a000000-7f1c2a001000 rw-s 00000000 00:1a 124 " + shm + "9\n"
	if err := os.WriteFile(maps, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if removed, err := removeShared(dir, proc, 4242); !removed || err != nil {
		t.Fatalf("unused: removed %v, err %v; want removed", removed, err)
	}
	for _, f := range []string{sem, shm} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Fatalf("%s still there (stat: %v)", f, err)
		}
	}
	if removed, err := removeShared(dir, proc, 4242); removed || err != nil {
		t.Fatalf("nothing there: removed %v, err %v; want false, nil", removed, err)
	}
}
