package galera

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProviderIsTheFirstPresent(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.so"), filepath.Join(dir, "b.so")
	defer func(old []string) { Providers = old }(Providers)
	Providers = []string{a, b}
	if got := Provider(); got != "" {
		t.Fatalf("no provider installed: got %q, want \"\"", got)
	}
	if err := os.WriteFile(b, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Provider(); got != b {
		t.Fatalf("only the second installed: got %q, want %q", got, b)
	}
	if err := os.Mkdir(a, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Provider(); got != b {
		t.Fatalf("a directory is no provider: got %q, want %q", got, b)
	}
}
