package kind

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

//go:embed manifests
var manifests embed.FS

// Deployments are the stateful clusters `faultline kind up` can deploy, by
// name: the directories of kind/manifests with a StatefulSet (agent and
// rbac are faultline's own).
func Deployments() []string {
	entries, _ := fs.ReadDir(manifests, "manifests") // the embedded root always reads
	var out []string
	for _, e := range entries {
		if _, err := fs.Stat(manifests, "manifests/"+e.Name()+"/statefulset.yaml"); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	return out
}

// StatefulSetOf is the name of the StatefulSet deployment name deploys
// (galera: galera, replication: mariadb).
func StatefulSetOf(name string) (string, error) {
	b, err := fs.ReadFile(manifests, "manifests/"+name+"/statefulset.yaml")
	if err != nil {
		return "", fmt.Errorf("no manifests for %q; have %v", name, Deployments())
	}
	var m struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil || m.Metadata.Name == "" {
		return "", fmt.Errorf("manifests/%s/statefulset.yaml names no StatefulSet (%v)", name, err)
	}
	return m.Metadata.Name, nil
}

// WriteManifests writes the embedded manifests of deployment name into a
// new directory under dir and returns it (for Apply, or for kubectl -k).
func WriteManifests(dir, name string) (string, error) {
	src := "manifests/" + name
	if _, err := fs.Stat(manifests, src); err != nil {
		return "", fmt.Errorf("no manifests for %q; have %v", name, Deployments())
	}
	dst := filepath.Join(dir, name)
	err := fs.WalkDir(manifests, src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := manifests.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	return dst, err
}
