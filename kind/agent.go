package kind

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"

	"faultline.dev/faultline/agent"
)

// AgentRepository is the agent image's name; its tag is the binary's hash.
const AgentRepository = "faultline.dev/faultline-agent"

// AgentImage builds (once per binary) the agent image of a faultline
// binary: FROM scratch, the binary as /faultline and, when it is
// dynamically linked, its loader and libraries — nothing else. The image is
// imported straight into Docker's store (no registry, no build context).
func AgentImage(ctx context.Context, binary string) (string, error) {
	data, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("agent image: %w", err)
	}
	sum := sha256.Sum256(data)
	image := AgentRepository + ":" + hex.EncodeToString(sum[:6])
	if _, err := docker(ctx, "image", "inspect", "--format", "{{.Id}}", image); err == nil {
		return image, nil
	}
	libs, err := sharedLibraries(ctx, binary)
	if err != nil {
		return "", fmt.Errorf("agent image: %w", err)
	}
	var buf bytes.Buffer
	if err := agentTar(&buf, data, libs); err != nil {
		return "", fmt.Errorf("agent image: %w", err)
	}
	cmd := exec.CommandContext(ctx, "docker", "import",
		"--change", `ENTRYPOINT ["/faultline"]`, "--change", `CMD ["agent"]`,
		"--message", "faultline node agent", "-", image)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("agent image: docker import: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return image, nil
}

// agentTar writes the image's filesystem: /faultline, the libraries, and
// the empty directories the agent mounts over.
func agentTar(w io.Writer, binary []byte, libs []string) error {
	tw := tar.NewWriter(w)
	now := time.Now()
	dirs := map[string]bool{}
	dir := func(d string) error {
		for _, p := range parents(d) {
			if !dirs[p] {
				dirs[p] = true
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: 0o755, ModTime: now}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	file := func(name string, data []byte, mode int64) error {
		if err := dir(filepath.Dir(name)); err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: now}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := file("faultline", binary, 0o755); err != nil {
		return err
	}
	for _, lib := range libs {
		b, err := os.ReadFile(lib) // follows the link: the image holds the file under the linked name
		if err != nil {
			return err
		}
		if err := file(strings.TrimPrefix(lib, "/"), b, 0o755); err != nil {
			return err
		}
	}
	for _, d := range []string{"proc", "tmp", strings.TrimPrefix(agent.DefaultStateDir, "/")} {
		if err := dir(d); err != nil {
			return err
		}
	}
	return tw.Close()
}

// parents is d and each of its ancestors, outermost first ("a/b" → a, a/b).
func parents(d string) []string {
	if d == "." || d == "" {
		return nil
	}
	return append(parents(filepath.Dir(d)), d)
}

var lddPath = regexp.MustCompile(`(?m)(/\S+) \(0x`)

// sharedLibraries is what a dynamically linked binary loads (its ELF
// interpreter included), from ldd; none for a static one.
func sharedLibraries(ctx context.Context, binary string) ([]string, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", binary, err)
	}
	defer f.Close()
	dynamic := false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	if !dynamic {
		return nil, nil
	}
	out, err := exec.CommandContext(ctx, "ldd", binary).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w (build faultline with CGO_ENABLED=0 for a static binary)", binary, err)
	}
	var libs []string
	for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
		libs = append(libs, m[1])
	}
	return libs, nil
}

// InstallAgent loads the agent image into every node and applies the
// agent's manifests (kind/manifests/agent) with that image, then waits
// until an agent is ready on every node.
func InstallAgent(ctx context.Context, c *Cluster, image string) error {
	if err := LoadImages(ctx, c.Name, image); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "faultline-agent-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mdir, err := WriteManifests(dir, "agent")
	if err != nil {
		return err
	}
	objs, err := readKustomization(mdir)
	if err != nil {
		return err
	}
	a, err := newApplier(c)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.GetKind() == "DaemonSet" {
			if err := setImage(o, "", image); err != nil {
				return err
			}
		}
		if err := a.apply(ctx, "", o); err != nil {
			return fmt.Errorf("install the agent on cluster %s: %w", c.Name, err)
		}
	}
	return waitAgents(ctx, c)
}

// setImage points the containers of a workload object named container
// ("" = every one) at image; none of that name is an error.
func setImage(o *unstructured.Unstructured, container, image string) error {
	cs, _, err := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	if err != nil {
		return fmt.Errorf("%s %s: %w", o.GetKind(), o.GetName(), err)
	}
	found := false
	for _, c := range cs {
		if m, ok := c.(map[string]any); ok && (container == "" || m["name"] == container) {
			m["image"], found = image, true
		}
	}
	if !found {
		return fmt.Errorf("%s %s has no container %q to give image %s", o.GetKind(), o.GetName(), container, image)
	}
	return unstructured.SetNestedSlice(o.Object, cs, "spec", "template", "spec", "containers")
}

// waitAgents waits until the agent DaemonSet has rolled out and every
// scheduled agent is ready.
func waitAgents(ctx context.Context, c *Cluster) error {
	cs, err := clientset(c)
	if err != nil {
		return err
	}
	var last *appsv1.DaemonSet
	err = wait.PollUntilContextTimeout(ctx, time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		ds, err := cs.AppsV1().DaemonSets(agent.Namespace).Get(ctx, agent.Name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		last = ds
		st := ds.Status
		return ds.Generation == st.ObservedGeneration && st.DesiredNumberScheduled > 0 &&
			st.UpdatedNumberScheduled == st.DesiredNumberScheduled && st.NumberReady == st.DesiredNumberScheduled, nil
	})
	if err != nil {
		if last != nil {
			return fmt.Errorf("agents of cluster %s not ready: %d of %d ready, %d updated: %w", c.Name,
				last.Status.NumberReady, last.Status.DesiredNumberScheduled, last.Status.UpdatedNumberScheduled, err)
		}
		return fmt.Errorf("agents of cluster %s not ready: %w", c.Name, err)
	}
	return nil
}

// AgentImageFromSource builds faultline from the checkout at root and the
// agent image of that binary (tests and CI, which run no release binary).
func AgentImageFromSource(ctx context.Context, root string) (string, error) {
	dir, err := os.MkdirTemp("", "faultline-agent-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "faultline")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/faultline")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build faultline in %s: %w: %s", root, err, strings.TrimSpace(string(out)))
	}
	return AgentImage(ctx, bin)
}
