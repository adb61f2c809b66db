package kube

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// objects reads the manifests of files in order, each object keyed by
// kind/name: a later file's object replaces an earlier one of that key.
func objects(t *testing.T, files ...string) (keys []string, docs map[string][]byte) {
	t.Helper()
	docs = map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("testdata", "preflight", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range bytes.Split(data, []byte("\n---\n")) {
			var meta struct {
				metav1.TypeMeta `json:",inline"`
				Metadata        metav1.ObjectMeta `json:"metadata"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil || meta.Kind == "" {
				t.Fatalf("%s: a document without a kind (%v):\n%s", f, err, doc)
			}
			key := meta.Kind + "/" + meta.Metadata.Name
			if _, ok := docs[key]; !ok {
				keys = append(keys, key)
			}
			docs[key] = doc
		}
	}
	return keys, docs
}

// loadPreflight is the input of cluster.yaml overlaid with a case, parsed
// strictly into the typed objects.
func loadPreflight(t *testing.T, file string) PreflightInput {
	t.Helper()
	keys, docs := objects(t, "cluster.yaml", file)
	var in PreflightInput
	for _, k := range keys {
		var into any
		switch kind, _, _ := strings.Cut(k, "/"); kind {
		case "StatefulSet":
			in.StatefulSet = &appsv1.StatefulSet{}
			into = in.StatefulSet
		case "PodDisruptionBudget":
			into = grow(&in.PDBs)
		case "Service":
			into = grow(&in.Services)
		case "StorageClass":
			into = grow(&in.StorageClasses)
		case "Node":
			into = grow(&in.Nodes)
		case "Pod":
			into = grow(&in.Pods)
		default:
			t.Fatalf("%s: kind %s not read by the pre-flight", file, kind)
		}
		if err := yaml.UnmarshalStrict(docs[k], into); err != nil {
			t.Fatalf("%s: %s: %v", file, k, err)
		}
	}
	return in
}

// grow appends a zero element and returns a pointer to it.
func grow[T any](s *[]T) *T {
	*s = append(*s, *new(T))
	return &(*s)[len(*s)-1]
}

// at is a finding's object and field, what the tests pin.
func at(fs []Finding) [][2]string {
	out := [][2]string{}
	for _, f := range fs {
		out = append(out, [2]string{f.Object, f.Field})
	}
	return out
}

// Each manifest triggers exactly the findings of its mistake, named by
// object and field; the good ones trigger none.
func TestPreflightFindings(t *testing.T) {
	sts := "statefulset/galera"
	for _, tc := range []struct {
		file string
		want [][2]string
	}{
		{"good.yaml", nil},
		{"good-zone-cordoned.yaml", nil},
		{"no-pdb.yaml", [][2]string{{sts, "spec.template.metadata.labels"}}},
		{"two-pdbs.yaml", [][2]string{{sts, "spec.template.metadata.labels"}}},
		{"pdb-max-unavailable.yaml", [][2]string{{"poddisruptionbudget/galera", "spec.maxUnavailable"}}},
		{"pdb-min-available-percent.yaml", [][2]string{{"poddisruptionbudget/galera", "spec.minAvailable"}}},
		{"no-host-antiaffinity.yaml", [][2]string{{sts, "spec.template.spec.affinity"}}},
		{"no-zone-spread.yaml", [][2]string{{sts, "spec.template.spec.topologySpreadConstraints"}}},
		{"pods-one-zone.yaml", [][2]string{{sts, "pods[].spec.nodeName"}}},
		{"zone-spread-ignores-taints.yaml", [][2]string{{sts, "spec.template.spec.topologySpreadConstraints[0].nodeTaintsPolicy"}}},
		{"immediate-binding.yaml", [][2]string{{"storageclass/ebs-immediate", "volumeBindingMode"}}},
		{"single-zone-class.yaml", [][2]string{{"storageclass/standard", "allowedTopologies"}}},
		{"no-readiness.yaml", [][2]string{{sts, "spec.template.spec.containers[0].readinessProbe"}}},
		{"four-replicas.yaml", [][2]string{{sts, "spec.replicas"}}},
		{"service-not-headless.yaml", [][2]string{{sts, "spec.serviceName"}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fs := PreflightCheck(loadPreflight(t, tc.file))
			if got := at(fs); !reflect.DeepEqual(got, append([][2]string{}, tc.want...)) {
				t.Fatalf("findings at %v, want %v\n%v", got, tc.want, fs)
			}
		})
	}
}

// The finding reads as the object, the field and why.
func TestFindingString(t *testing.T) {
	fs := PreflightCheck(loadPreflight(t, "no-host-antiaffinity.yaml"))
	want := "statefulset/galera spec.template.spec.affinity: no required podAntiAffinity by kubernetes.io/hostname: two members can land on one node and die together"
	if len(fs) != 1 || fs[0].String() != want {
		t.Fatalf("%v, want %q", fs, want)
	}
}

// Percentages resolve as the disruption controller resolves them: of the
// StatefulSet's replicas, rounded up for minAvailable and maxUnavailable
// alike, so maxUnavailable 34% of 3 lets two go.
func TestPreflightPercentagePDBs(t *testing.T) {
	for _, tc := range []struct {
		replicas int32
		max, min *intstr.IntOrString
		bad      bool
	}{
		{3, pct("33%"), nil, false}, // ⌈0.99⌉ = 1
		{3, pct("34%"), nil, true},  // ⌈1.02⌉ = 2: rounding down would say 1
		{3, nil, pct("50%"), false}, // ⌈1.5⌉ = 2
		{3, nil, pct("33%"), true},  // ⌈0.99⌉ = 1
		{5, pct("40%"), nil, false}, // 2 of 5, 3 left: the quorum
		{5, pct("41%"), nil, true},  // ⌈2.05⌉ = 3
		{5, nil, pct("60%"), false}, // 3
		{5, nil, pct("59%"), false}, // ⌈2.95⌉ = 3
		{5, nil, pct("40%"), true},  // 2
		{3, nil, num(1), true},
		{3, num(1), nil, false},
	} {
		in := loadPreflight(t, "good.yaml")
		in.StatefulSet.Spec.Replicas = &tc.replicas
		in.PDBs[0].Spec.MaxUnavailable, in.PDBs[0].Spec.MinAvailable = tc.max, tc.min
		var pdb []Finding
		for _, f := range PreflightCheck(in) {
			if f.Object == "poddisruptionbudget/galera" {
				pdb = append(pdb, f)
			}
		}
		if len(pdb) > 0 != tc.bad {
			t.Errorf("%d replicas, maxUnavailable %v minAvailable %v: findings %v, want bad=%v", tc.replicas, tc.max, tc.min, pdb, tc.bad)
		}
	}
}

func pct(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
func num(n int) *intstr.IntOrString    { v := intstr.FromInt32(int32(n)); return &v }

// Replication needs a replica, not an odd count; Galera needs three.
func TestPreflightReplicaCounts(t *testing.T) {
	for _, tc := range []struct {
		topology string
		replicas int32
		bad      bool
	}{
		{"galera", 1, true}, {"galera", 2, true}, {"galera", 3, false}, {"galera", 4, true}, {"galera", 5, false},
		{"", 2, true}, {"replication", 1, true}, {"replication", 2, false}, {"replication", 4, false},
	} {
		in := loadPreflight(t, "good.yaml")
		in.Topology, in.StatefulSet.Spec.Replicas = tc.topology, &tc.replicas
		in.PDBs = []policyv1.PodDisruptionBudget{} // not judged here
		var got bool
		for _, f := range PreflightCheck(in) {
			got = got || f.Field == "spec.replicas"
		}
		if got != tc.bad {
			t.Errorf("%q with %d replicas: replica finding %v, want %v", tc.topology, tc.replicas, got, tc.bad)
		}
	}
}

// Pods not scheduled yet sit in no zone: no finding about where they run.
func TestPreflightUnscheduledPods(t *testing.T) {
	in := loadPreflight(t, "good.yaml")
	for i := range in.Pods {
		in.Pods[i].Spec.NodeName = ""
	}
	if fs := PreflightCheck(in); len(fs) != 0 {
		t.Fatalf("findings %v", fs)
	}
}
