package kind

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestKindReadKustomization(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- b.yaml\n- a.yaml\n")
	write("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	write("b.yaml", "---\napiVersion: v1\nkind: Service\nmetadata: {name: b1}\n---\n# only a comment\n---\n"+
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: b2}\n")
	objs, err := readKustomization(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	want := []string{"Service/b1", "StatefulSet/b2", "ConfigMap/a"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("documents = %v, want %v (kustomization order, then file order)", got, want)
	}
	for _, r := range []string{"../x.yaml", "https://example.com/x.yaml", "sub"} {
		os.Mkdir(filepath.Join(dir, "sub"), 0o755)
		write("kustomization.yaml", "resources:\n- "+r+"\n")
		if _, err := readKustomization(dir); err == nil {
			t.Errorf("resource %q accepted", r)
		}
	}
	write("kustomization.yaml", "resources:\n- c.yaml\n")
	write("c.yaml", "kind: ConfigMap\nmetadata: {name: c}\n")
	if _, err := readKustomization(dir); err == nil {
		t.Error("a document without apiVersion accepted")
	}
}

// An image given to kind up replaces the database container's in each
// deployment's StatefulSet, and nothing else.
func TestKindSetDatabaseImage(t *testing.T) {
	for _, dir := range []string{"manifests/galera", "manifests/replication"} {
		objs, err := readKustomization(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := setDatabaseImage(objs, "mariadb:10.11"); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, o := range objs {
			if o.GetKind() != "StatefulSet" {
				continue
			}
			cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			for _, c := range cs {
				if m := c.(map[string]any); m["name"] == DatabaseContainer && m["image"] != "mariadb:10.11" {
					t.Errorf("%s: container %v image %v, want mariadb:10.11", dir, m["name"], m["image"])
				}
			}
		}
	}
	bad := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "StatefulSet",
		"metadata": map[string]any{"name": "x"},
		"spec":     map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "db", "image": "a"}}}}}}}
	if err := setDatabaseImage([]*unstructured.Unstructured{bad}, "b"); err == nil {
		t.Error("a StatefulSet without a mariadb container accepted")
	}
}
