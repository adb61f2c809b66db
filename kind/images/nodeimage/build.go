package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kind/pkg/build/nodeimage"
	"sigs.k8s.io/kind/pkg/cmd"
)

// run fixes the archives under dir, packs dir/kubernetes and has kind build
// image from base.
func run(dir, base, image string) error {
	if dir == "" || base == "" || image == "" {
		return errors.New("-dir, -base and -image are required")
	}
	bin := filepath.Join(dir, "kubernetes", "server", "bin")
	tars, err := filepath.Glob(filepath.Join(bin, "*.tar"))
	if err != nil || len(tars) == 0 {
		return fmt.Errorf("no image archives in %s", bin)
	}
	for _, t := range tars {
		if err := fixArchive(t); err != nil {
			return err
		}
	}
	tgz := filepath.Join(dir, "kubernetes-server-linux-amd64.tar.gz")
	if err := packDir(filepath.Join(dir, "kubernetes"), tgz); err != nil {
		return err
	}
	err = nodeimage.Build(
		nodeimage.WithBuildType("file"),
		nodeimage.WithKubeParam(tgz),
		nodeimage.WithBaseImage(base),
		nodeimage.WithImage(image),
		nodeimage.WithLogger(cmd.NewLogger()),
	)
	if err != nil {
		return fmt.Errorf("kind build node image %s: %w", image, err)
	}
	return nil
}

// packDir writes src (a directory) as the gzipped tar dst whose entries
// start with src's base name, as the kubernetes-server tarball does.
func packDir(src, dst string) (err error) {
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	parent := filepath.Dir(src)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return addEntry(tw, p, strings.TrimPrefix(p, parent+"/"), d)
	})
	if err != nil {
		return fmt.Errorf("pack %s: %w", src, err)
	}
	return errors.Join(tw.Close(), zw.Close())
}

// addEntry writes the file or directory at p as name into tw.
func addEntry(tw *tar.Writer, p, name string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	hdr, err := tar.FileInfoHeader(info, "")
	if err != nil {
		return err
	}
	hdr.Name = name
	if err := tw.WriteHeader(hdr); err != nil || !info.Mode().IsRegular() {
		return err
	}
	r, err := os.Open(p)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(tw, r)
	return err
}
