package kind

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The Galera manifests hold what the Kubernetes target relies on.
func TestKindGaleraManifests(t *testing.T) {
	objs, err := readKustomization("manifests/galera")
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]*unstructured.Unstructured{}
	for _, o := range objs {
		byKind[o.GetKind()] = append(byKind[o.GetKind()], o)
	}
	var sts appsv1.StatefulSet
	convert(t, byKind["StatefulSet"][0], &sts)
	spec := sts.Spec.Template.Spec
	c := spec.Containers[0]
	if *sts.Spec.Replicas != 3 || sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement || sts.Spec.ServiceName != "galera" {
		t.Errorf("statefulset spec = replicas %d, %s, service %s", *sts.Spec.Replicas, sts.Spec.PodManagementPolicy, sts.Spec.ServiceName)
	}
	if c.Image != mariadbImage || c.ImagePullPolicy != corev1.PullIfNotPresent || len(c.Command) == 0 {
		t.Errorf("container image %s, pull %s, command %v", c.Image, c.ImagePullPolicy, c.Command)
	}
	if c.ReadinessProbe == nil || c.LivenessProbe == nil {
		t.Error("probes missing")
	}
	anti := spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	if len(anti) != 1 || anti[0].TopologyKey != "kubernetes.io/hostname" {
		t.Errorf("required anti-affinity = %+v", anti)
	}
	tsc := spec.TopologySpreadConstraints
	if len(tsc) != 1 || tsc[0].TopologyKey != ZoneLabel || tsc[0].NodeTaintsPolicy == nil ||
		*tsc[0].NodeTaintsPolicy != corev1.NodeInclusionPolicyHonor {
		t.Errorf("topology spread = %+v", tsc)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env["FAKETIME_TIMESTAMP_FILE"] != "/var/run/faultline/faketime" || env["GALERA_REPLICAS"] != "3" {
		t.Errorf("env = %v", env)
	}
	if pvc := sts.Spec.VolumeClaimTemplates; len(pvc) != 1 || *pvc[0].Spec.StorageClassName != "standard" {
		t.Errorf("volume claims = %+v", pvc)
	}
	var pdb policyv1.PodDisruptionBudget
	convert(t, byKind["PodDisruptionBudget"][0], &pdb)
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("pdb maxUnavailable = %v", pdb.Spec.MaxUnavailable)
	}
	var headless corev1.Service
	for _, o := range byKind["Service"] {
		if o.GetName() == "galera" {
			convert(t, o, &headless)
		}
	}
	var ports []int32
	for _, p := range headless.Spec.Ports {
		ports = append(ports, p.Port)
	}
	for _, want := range []int32{3306, 4567, 4568, 4444} {
		if !slices.Contains(ports, want) {
			t.Errorf("headless service ports %v lack %d", ports, want)
		}
	}
	if headless.Spec.ClusterIP != "None" || !headless.Spec.PublishNotReadyAddresses {
		t.Errorf("service galera: clusterIP %q, publishNotReadyAddresses %v", headless.Spec.ClusterIP, headless.Spec.PublishNotReadyAddresses)
	}
}

func convert(t *testing.T, o *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, into); err != nil {
		t.Fatalf("%s %s: %v", o.GetKind(), o.GetName(), err)
	}
}
