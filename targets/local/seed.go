package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"
)

// template returns a data directory made by mariadb-install-db; every
// node's data directory is a copy of it, so all nodes start from
// byte-identical system tables. Templates are cached under
// <StateDir>/cache, keyed by the server binary and the options that shape
// the files.
func (b *builder) template(ctx context.Context) error {
	o := maps.Clone(baseOptions)
	for k, v := range b.cfg.ServerOptions {
		if strings.HasPrefix(optionKey(k), "innodb") {
			o[k] = v
		}
	}
	key, err := templateKey(renderCnf(o))
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	cache := filepath.Join(b.cfg.StateDir, "cache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	b.templateDir = filepath.Join(cache, "datadir-"+key)
	unlock, err := lockFile(filepath.Join(cache, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(b.templateDir); err == nil {
		return nil
	}
	tmp := b.templateDir + ".tmp"
	os.RemoveAll(tmp)
	o["datadir"] = tmp
	o["log-error"] = tmp + ".log"
	cnf := tmp + ".cnf"
	defer os.Remove(cnf)
	defer os.Remove(tmp + ".log")
	if err := os.WriteFile(cnf, []byte(renderCnf(o)), 0o644); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if _, err := run(ctx, "mariadb-install-db", "--defaults-file="+cnf,
		"--auth-root-authentication-method=normal", "--skip-test-db"); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if err := os.Rename(tmp, b.templateDir); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}

// templateKey identifies a template: the server binary and the options.
func templateKey(options string) (string, error) {
	bin, err := exec.LookPath("mariadbd")
	if err != nil {
		bin = "/usr/sbin/mariadbd"
	}
	fi, err := os.Stat(bin)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s %d %d\n%s", bin, fi.Size(), fi.ModTime().UnixNano(), options)))
	return hex.EncodeToString(h[:6]), nil
}

// seed writes every node's files: data directory, my.cnf, init.sql, the
// faketime offset and, for Galera, the shared initial state.
func (b *builder) seed(ctx context.Context) error {
	b.lab.mu.Lock()
	if b.cfg.Topology == Galera {
		b.lab.st.ClusterUUID = newUUID()
	}
	if b.cfg.Topology == Replication {
		b.lab.st.Primary = nodeName(0)
	}
	err := b.lab.save()
	b.lab.mu.Unlock()
	if err != nil {
		return err
	}
	members := make([]string, b.cfg.Nodes)
	for i := range members {
		members[i] = newUUID()
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := range b.cfg.Nodes {
		g.Go(func() error { return b.seedNode(gctx, i, members) })
	}
	return g.Wait()
}

func (b *builder) seedNode(ctx context.Context, i int, members []string) error {
	node := nodeName(i)
	if _, err := run(ctx, "cp", "-a", "--sparse=always", b.templateDir, b.n.dataDir(node)); err != nil {
		return fmt.Errorf("seed %s: %w", node, err)
	}
	files := map[string]string{
		b.n.cnf(node):     renderCnf(b.spec(i).options()),
		b.n.initSQL(node): initSQL(b.cfg.Topology, b.lab.st.Password),
	}
	if b.cfg.Faketime {
		files[b.n.faketime(node)] = "+0\n"
	}
	if b.cfg.Topology == Galera {
		files[filepath.Join(b.n.dataDir(node), "grastate.dat")] = grastate(b.lab.st.ClusterUUID, 0, b.cfg.Nodes == 1)
		if b.cfg.Nodes > 1 {
			files[filepath.Join(b.n.dataDir(node), "gvwstate.dat")] = gvwstate(members[i], members)
		}
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
			return fmt.Errorf("seed %s: %w", node, err)
		}
		if err := os.Chown(path, b.uid, b.gid); err != nil {
			return fmt.Errorf("seed %s: %w", node, err)
		}
	}
	return nil
}

func (b *builder) spec(i int) nodeSpec {
	peers := make([]string, b.cfg.Nodes)
	for j := range peers {
		peers[j] = b.plan.node(j).String()
	}
	return nodeSpec{
		Index: i, Name: nodeName(i), Addr: b.plan.node(i).String(), Peers: peers,
		Password: b.lab.st.Password, cfg: b.cfg, n: b.n,
	}
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	h := []byte(randomHex(16))
	h[12] = '4'
	h[16] = "89ab"[h[16]%4]
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
