package kind

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"
)

// ChaosLabel marks a namespace faultline may inject faults into.
const ChaosLabel = "faultline.dev/chaos"

const fieldManager = "faultline"

// MariaDBImage is the image the manifests name: MariaDB, Galera and the
// tools, built from Debian packages by kind/images/build.sh.
const MariaDBImage = "faultline.dev/mariadb:10.11-bookworm"

// DatabaseContainer is the name of the database container in the
// manifests' StatefulSets.
const DatabaseContainer = "mariadb"

// Apply server-side applies, in order, every YAML document of the files
// dir/kustomization.yaml lists under resources (plain files of dir only:
// no bases, patches or generators) into namespace, which is created if
// missing and labelled faultline.dev/chaos=allowed.
func Apply(ctx context.Context, c *Cluster, namespace string, dir string) error {
	return ApplyImage(ctx, c, namespace, dir, "")
}

// ApplyImage is Apply with image, when not "", in place of the one the
// StatefulSets' database container names (kustomize's `images:` does
// the same for kubectl -k).
func ApplyImage(ctx context.Context, c *Cluster, namespace, dir, image string) error {
	objs, err := readKustomization(dir)
	if err != nil {
		return err
	}
	if image != "" {
		if err := setDatabaseImage(objs, image); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}
	a, err := newApplier(c)
	if err != nil {
		return err
	}
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": namespace, "labels": map[string]any{ChaosLabel: "allowed"}},
	}}
	for _, o := range append([]*unstructured.Unstructured{ns}, objs...) {
		if err := a.apply(ctx, namespace, o); err != nil {
			return fmt.Errorf("apply %s into %s of cluster %s: %w", dir, namespace, c.Name, err)
		}
	}
	return nil
}

func newApplier(c *Cluster) (applier, error) {
	cfg, err := restConfig(c)
	if err != nil {
		return applier{}, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return applier{}, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return applier{}, err
	}
	return applier{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}, nil
}

type applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// apply server-side applies o, into namespace when its kind is namespaced
// (namespace "" keeps the object's own).
func (a applier) apply(ctx context.Context, namespace string, o *unstructured.Unstructured) error {
	gvk := o.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("%s %s: %w", gvk.Kind, o.GetName(), err)
	}
	res := a.dyn.Resource(m.Resource)
	var ri dynamic.ResourceInterface = res
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if namespace != "" {
			o.SetNamespace(namespace)
		}
		ri = res.Namespace(o.GetNamespace())
	}
	_, err = ri.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	if err != nil {
		return fmt.Errorf("%s %s: %w", gvk.Kind, o.GetName(), err)
	}
	return nil
}

// readKustomization returns the documents of the resources of
// dir/kustomization.yaml, in order.
func readKustomization(dir string) ([]*unstructured.Unstructured, error) {
	path := filepath.Join(dir, "kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(k.Resources) == 0 {
		return nil, fmt.Errorf("%s lists no resources", path)
	}
	var objs []*unstructured.Unstructured
	for _, r := range k.Resources {
		docs, err := readResource(dir, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		objs = append(objs, docs...)
	}
	return objs, nil
}

// readResource returns the YAML documents of the plain file r of dir.
func readResource(dir, r string) ([]*unstructured.Unstructured, error) {
	if strings.Contains(r, "://") || !filepath.IsLocal(r) {
		return nil, fmt.Errorf("resource %q: only files inside %s are supported", r, dir)
	}
	p := filepath.Join(dir, r)
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("resource %q: not a plain file (%v)", r, err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	objs, err := decodeDocuments(data)
	if err != nil {
		return nil, fmt.Errorf("resource %s: %w", r, err)
	}
	return objs, nil
}

// decodeDocuments splits a multi-document YAML stream into objects,
// skipping empty documents; each must have apiVersion, kind and a name.
func decodeDocuments(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for i := 0; ; i++ {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(m) == 0 {
			continue
		}
		o := &unstructured.Unstructured{Object: m}
		if o.GetAPIVersion() == "" || o.GetKind() == "" || o.GetName() == "" {
			return nil, fmt.Errorf("document %d: apiVersion, kind and metadata.name are required", i)
		}
		objs = append(objs, o)
	}
}

// setDatabaseImage sets image on the database container of every
// StatefulSet of objs; a StatefulSet without one is an error.
func setDatabaseImage(objs []*unstructured.Unstructured, image string) error {
	for _, o := range objs {
		if o.GetKind() == "StatefulSet" {
			if err := setImage(o, DatabaseContainer, image); err != nil {
				return err
			}
		}
	}
	return nil
}

// WaitPodsCreated waits until the StatefulSet name in namespace has all
// its pods created (not yet ready): attaching right after Apply would
// otherwise find no pods.
func WaitPodsCreated(ctx context.Context, c *Cluster, namespace, name string) error {
	cs, err := clientset(c)
	if err != nil {
		return err
	}
	var last string
	err = wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		sts, err := cs.AppsV1().StatefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		want := int32(1)
		if sts.Spec.Replicas != nil {
			want = *sts.Spec.Replicas
		}
		last = fmt.Sprintf("%d of %d pods created", sts.Status.Replicas, want)
		return sts.Status.ObservedGeneration >= sts.Generation && sts.Status.Replicas >= want, nil
	})
	if err != nil {
		return fmt.Errorf("statefulset %s/%s of cluster %s: %s: %w", namespace, name, c.Name, last, err)
	}
	return nil
}
