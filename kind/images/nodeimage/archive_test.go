package main

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// A multi-image archive as `docker save` writes it: kind would read only
// manifest.json's first image and the unqualified Docker Hub name.
func TestFixArchivePutsEveryImageFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "images.tar")
	writeTar(t, path, [][2]string{
		{"abc/layer.tar", "layer"},
		{"manifest.json", `[{"RepoTags":["registry.k8s.io/kube-proxy:v1"]},{"RepoTags":["kindest/kindnetd:v2"]}]`},
		{"repositories", `{"registry.k8s.io/kube-proxy":{"v1":"abc"},"kindest/kindnetd":{"v2":"def"},"busybox":{"1":"0"}}`},
	})
	if err := fixArchive(path); err != nil {
		t.Fatal(err)
	}
	entries := readTar(t, path)
	if len(entries) != 3 || entries[0][0] != "repositories" {
		t.Fatalf("entries = %v, want repositories first and 3 entries", entries)
	}
	var repos map[string]map[string]string
	if err := json.Unmarshal([]byte(entries[0][1]), &repos); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"registry.k8s.io/kube-proxy", "docker.io/kindest/kindnetd", "docker.io/library/busybox"} {
		if repos[want] == nil {
			t.Errorf("repositories %v lacks %s", repos, want)
		}
	}
	if entries[1] != [2]string{"abc/layer.tar", "layer"} {
		t.Errorf("layer entry changed: %v", entries[1])
	}
}

func writeTar(t *testing.T, path string, entries [][2]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for _, e := range entries {
		hdr := &tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func readTar(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, [2]string{hdr.Name, string(b)})
	}
}
