package clock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline.dev/faultline/targets"
)

func TestFormatOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "+3600", -24 * time.Hour: "-86400", 1500 * time.Millisecond: "+1.5", 0: "+0",
	} {
		if got := FormatOffset(d); got != want {
			t.Errorf("FormatOffset(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSkewFileLifecycle(t *testing.T) {
	file := filepath.Join(t.TempDir(), "faketime")
	os.WriteFile(file, []byte("+5\n"), 0o644)
	f, err := New("r", targets.Node{Name: "n1"}, file, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Inject(t.Context()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); strings.TrimSpace(string(b)) != "+3600" {
		t.Errorf("after inject: %q", b)
	}
	g, err := FromParams(f.Params())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Recover(t.Context()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); strings.TrimSpace(string(b)) != "+5" {
		t.Errorf("after recover: %q", b)
	}
	os.Remove(file)
	if err := g.Recover(t.Context()); err != nil {
		t.Errorf("recover without the file: %v", err)
	}
}

func TestSkewRefusesNodeWithoutFaketime(t *testing.T) {
	_, err := New("r", targets.Node{Name: "n2"}, "", time.Hour)
	if err == nil || !strings.Contains(err.Error(), "libfaketime") {
		t.Fatalf("err = %v", err)
	}
}
