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
	m := readManifests(t, "manifests/galera", "galera")
	if m.env["GALERA_REPLICAS"] != "3" {
		t.Errorf("env = %v", m.env)
	}
	for _, want := range []int32{3306, 4567, 4568, 4444} {
		if !slices.Contains(m.headlessPorts(), want) {
			t.Errorf("headless service ports %v lack %d", m.headlessPorts(), want)
		}
	}
}

// manifestSet is a database deployment's manifests, checked for what
// every one shares (checkShared).
type manifestSet struct {
	byKind   map[string][]*unstructured.Unstructured
	sts      appsv1.StatefulSet
	services map[string]corev1.Service
	env      map[string]string
}

// readManifests reads the kustomization of dir, whose StatefulSet and
// headless Service are both called name, and checks what they share.
func readManifests(t *testing.T, dir, name string) manifestSet {
	t.Helper()
	objs, err := readKustomization(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := manifestSet{byKind: map[string][]*unstructured.Unstructured{}, services: map[string]corev1.Service{}, env: map[string]string{}}
	for _, o := range objs {
		m.byKind[o.GetKind()] = append(m.byKind[o.GetKind()], o)
	}
	convert(t, m.byKind["StatefulSet"][0], &m.sts)
	for _, o := range m.byKind["Service"] {
		var svc corev1.Service
		convert(t, o, &svc)
		m.services[svc.Name] = svc
	}
	for _, e := range m.sts.Spec.Template.Spec.Containers[0].Env {
		m.env[e.Name] = e.Value
	}
	m.checkShared(t, name)
	return m
}

func (m manifestSet) checkShared(t *testing.T, name string) {
	t.Helper()
	sts := m.sts
	spec := sts.Spec.Template.Spec
	c := spec.Containers[0]
	if *sts.Spec.Replicas != 3 || sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement || sts.Spec.ServiceName != name {
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
	if m.env["FAKETIME_TIMESTAMP_FILE"] != "/var/run/faultline/faketime" {
		t.Errorf("env = %v", m.env)
	}
	if pvc := sts.Spec.VolumeClaimTemplates; len(pvc) != 1 || *pvc[0].Spec.StorageClassName != "standard" {
		t.Errorf("volume claims = %+v", pvc)
	}
	var pdb policyv1.PodDisruptionBudget
	convert(t, m.byKind["PodDisruptionBudget"][0], &pdb)
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("pdb maxUnavailable = %v", pdb.Spec.MaxUnavailable)
	}
	headless := m.services[name]
	if headless.Spec.ClusterIP != "None" || !headless.Spec.PublishNotReadyAddresses {
		t.Errorf("service %s: clusterIP %q, publishNotReadyAddresses %v", name, headless.Spec.ClusterIP, headless.Spec.PublishNotReadyAddresses)
	}
}

// headlessPorts are the ports of the headless Service.
func (m manifestSet) headlessPorts() []int32 {
	var ports []int32
	for _, p := range m.services[m.sts.Spec.ServiceName].Spec.Ports {
		ports = append(ports, p.Port)
	}
	return ports
}

func convert(t *testing.T, o *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, into); err != nil {
		t.Fatalf("%s %s: %v", o.GetKind(), o.GetName(), err)
	}
}
