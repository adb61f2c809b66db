package reports

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/internal/fsutil"
)

// RenderAll loads the run directory dir and writes report.html, summary.md,
// result.json and junit.xml into it. Each file is replaced atomically.
func RenderAll(dir string) error {
	m, err := Load(dir)
	if err != nil {
		return err
	}
	return m.RenderAll()
}

// RenderAll writes the four documents of m into its run directory.
func (m *Model) RenderAll() error {
	for _, out := range []struct {
		name  string
		write func(*Model, io.Writer) error
	}{
		{history.FileReport, WriteHTML},
		{history.FileSummary, WriteMarkdown},
		{history.FileResult, WriteResult},
		{history.FileJUnit, WriteJUnit},
	} {
		var b bytes.Buffer
		if err := out.write(m, &b); err != nil {
			return fmt.Errorf("render %s: %w", m.Dir, err)
		}
		if err := fsutil.WriteFileAtomic(filepath.Join(m.Dir, out.name), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("render %s: %w", m.Dir, err)
		}
	}
	return nil
}
