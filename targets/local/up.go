package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Up builds a lab: network, disks, data directories, servers, replication;
// it returns once the cluster is healthy. On any error it tears down what it
// created. A config error creates nothing.
func Up(ctx context.Context, cfg Config) (*Lab, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := CheckHost(); err != nil {
		return nil, err
	}
	if err := checkDiskFaults(cfg); err != nil {
		return nil, err
	}
	n := names{lab: cfg.Name, stateDir: cfg.StateDir}
	b := &builder{cfg: cfg, n: n, started: time.Now()}
	lab, err := b.build(ctx)
	if err != nil {
		if b.lab != nil { // something was created: remove it
			cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if derr := downByName(cleanup, n, cfg.Log); derr != nil {
				err = errors.Join(err, fmt.Errorf("tear down after failed up: %w", derr))
			}
		}
		return nil, fmt.Errorf("lab %s up: %w", cfg.Name, err)
	}
	return lab, nil
}

// checkFree refuses to build over anything a lab of the same name left.
func checkFree(ctx context.Context, n names) error {
	if _, err := os.Stat(n.labDir()); err == nil {
		return fmt.Errorf("lab %s already exists (%s): run `faultline lab down %s`", n.lab, n.labDir(), n.lab)
	}
	left, err := Leftovers(ctx, n.lab)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("lab %s: leftovers of a lab with this name exist (%s): run `faultline lab down %s`",
			n.lab, strings.Join(left, ", "), n.lab)
	}
	return nil
}

// builder carries a lab under construction.
type builder struct {
	cfg  Config
	n    names
	lab  *Lab
	plan plan
	// templateDir is the cached install-db data directory nodes copy
	templateDir string
	uid, gid    int
	started     time.Time
}

func (b *builder) step(what string) {
	b.lab.logf("%s (%.2fs)", what, time.Since(b.started).Seconds())
}

func (b *builder) build(ctx context.Context) (*Lab, error) {
	if err := b.reserve(ctx); err != nil {
		return nil, err
	}
	b.step("network " + b.plan.String())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.template(gctx) })
	for i := range b.cfg.Nodes {
		g.Go(func() error { return b.nodeNetwork(i) })
		g.Go(func() error { return b.disk(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	b.step("disks, namespaces and template ready")
	if err := b.seed(ctx); err != nil {
		return nil, err
	}
	b.step("data directories seeded")
	if b.cfg.DiskFaults {
		if err := b.diskLayers(ctx); err != nil {
			return nil, err
		}
		b.step("disk-fault layers mounted")
	}
	var err error
	if b.cfg.Topology == Galera {
		err = b.startGalera(ctx)
	} else {
		err = b.startReplication(ctx)
	}
	if err != nil {
		return nil, err
	}
	b.step(fmt.Sprintf("%d-node %s healthy", b.cfg.Nodes, b.cfg.Topology))
	return b.lab, nil
}

// reserve claims the lab's name and subnet under the machine-wide lock:
// nothing of a lab of this name may exist; then the lab directory, lab.json
// and the bridge are created. b.lab stays nil until something is created.
func (b *builder) reserve(ctx context.Context) error {
	unlock, err := lockFile(reserveLock)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkFree(ctx, b.n); err != nil {
		return err
	}
	if err := b.prepare(); err != nil {
		return err
	}
	return b.network(ctx)
}

// prepare creates the lab directory and lab.json.
func (b *builder) prepare() error {
	ids, err := serverUser()
	if err != nil {
		return err
	}
	b.uid, b.gid = ids.uid, ids.gid
	for _, dir := range []string{b.cfg.StateDir, filepath.Dir(b.n.labDir())} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("state dir: %w", err)
		}
	}
	if err := traversable(b.n.labDir()); err != nil {
		return err
	}
	st := state{
		Name: b.cfg.Name, Topology: b.cfg.Topology, StateDir: b.cfg.StateDir,
		Password: randomHex(8), Faketime: b.cfg.Faketime, DiskFaults: b.cfg.DiskFaults, Created: time.Now().UTC(),
	}
	for i := range b.cfg.Nodes {
		node := nodeName(i)
		st.Nodes = append(st.Nodes, nodeState{Name: node, Zone: b.cfg.Zones[i], NetNS: b.n.netns(node), HostLink: b.n.hostLink(i)})
	}
	if err := os.Mkdir(b.n.labDir(), 0o755); err != nil {
		return fmt.Errorf("lab dir: %w", err)
	}
	b.lab = newLab(st, b.cfg.Log)
	for _, ns := range st.Nodes {
		node := ns.Name
		if err := os.Mkdir(b.n.nodeDir(node), 0o750); err != nil {
			return fmt.Errorf("node dir: %w", err)
		}
		if err := os.Chown(b.n.nodeDir(node), b.uid, b.gid); err != nil {
			return fmt.Errorf("node dir: %w", err)
		}
	}
	return b.lab.save()
}

// traversable checks that user mysql can reach dir's parent.
func traversable(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("state dir %s: %w", d, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("state dir: %s is not searchable by others (mode %v); mariadbd runs as mysql and must reach its files", d, fi.Mode().Perm())
		}
		if d == "/" {
			return nil
		}
	}
}

func randomHex(n int) string {
	buf := make([]byte, n)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}

// network chooses the subnet, creates the bridge and accepts forwarding on
// it in the host firewall; call it holding reserveLock.
func (b *builder) network(ctx context.Context) error {
	var want netip.Prefix
	if b.cfg.Subnet != "" {
		want, _ = parseSubnet(b.cfg.Subnet)
	}
	subnet, err := chooseSubnet(want)
	if err != nil {
		return err
	}
	b.plan = plan{subnet: subnet}
	if err := createBridge(b.n.bridge(), b.plan.prefix(b.plan.harness())); err != nil {
		return err
	}
	added, err := ensureForward(ctx, b.n.lab)
	for _, r := range added {
		b.lab.logf("firewall: added %s", r)
	}
	if err != nil {
		return err
	}
	b.lab.mu.Lock()
	defer b.lab.mu.Unlock()
	b.lab.st.Subnet, b.lab.st.Harness = subnet.String(), b.plan.harness().String()
	for i := range b.lab.st.Nodes {
		b.lab.st.Nodes[i].Addr = b.plan.node(i).String()
	}
	return b.lab.save()
}

func (b *builder) nodeNetwork(i int) error {
	return nodeNet{
		NetNS:    b.n.netns(nodeName(i)),
		HostLink: b.n.hostLink(i),
		Bridge:   b.n.bridge(),
		Addr:     b.plan.prefix(b.plan.node(i)),
	}.create()
}

func (b *builder) disk(ctx context.Context, i int) error {
	node := nodeName(i)
	dev, majmin, err := nodeDisk{Image: b.n.image(node), Mount: b.n.mountDir(node), Size: b.cfg.DiskSize}.create(ctx, b.uid, b.gid)
	if dev != "" {
		b.lab.mu.Lock()
		b.lab.st.Nodes[i].LoopDevice, b.lab.st.Nodes[i].BlockDevice = dev, majmin
		serr := b.lab.save()
		b.lab.mu.Unlock()
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("disk of %s: %w", node, err)
	}
	return nil
}
