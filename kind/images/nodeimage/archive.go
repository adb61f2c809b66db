package main

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// fixArchive rewrites the `docker save` archive at path so that kind's
// node-image build sees every image in it. kind reads the tags from the
// first of manifest.json / repositories it meets (and only the first entry
// of manifest.json), and compares them with fully qualified names
// ("docker.io/kindest/..."): any image it misses, it tries to pull. The
// rewritten archive starts with a `repositories` entry naming every image,
// Docker Hub names qualified; the rest is copied unchanged.
func fixArchive(path string) error {
	repos, err := readRepositories(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	data, err := json.Marshal(qualify(repos))
	if err != nil {
		return err
	}
	tmp := path + ".fixed"
	if err := rewrite(path, tmp, data); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// qualify prefixes Docker Hub short names ("kindest/x") with "docker.io/".
func qualify(repos map[string]map[string]string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(repos))
	for name, tags := range repos {
		first, _, found := strings.Cut(name, "/")
		if !found || (!strings.ContainsAny(first, ".:") && first != "localhost") {
			if !found {
				name = "library/" + name
			}
			name = "docker.io/" + name
		}
		out[name] = tags
	}
	return out
}

// readRepositories returns the archive's `repositories` entry.
func readRepositories(path string) (map[string]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no repositories entry")
		}
		if err != nil {
			return nil, err
		}
		if hdr.Name == "repositories" {
			repos := map[string]map[string]string{}
			return repos, json.NewDecoder(tr).Decode(&repos)
		}
	}
}

// rewrite copies the archive src to dst with repositories (as data) first.
func rewrite(src, dst string, data []byte) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	tw := tar.NewWriter(out)
	hdr := &tar.Header{Name: "repositories", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := copyEntries(tar.NewReader(in), tw); err != nil {
		return err
	}
	return tw.Close()
}

// copyEntries copies every entry but repositories from tr to tw.
func copyEntries(tr *tar.Reader, tw *tar.Writer) error {
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if hdr.Name == "repositories" {
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}
