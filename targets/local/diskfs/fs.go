package diskfs

import (
	"context"
	"path/filepath"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// node is a loopback node whose files pass through the watcher's rules.
type node struct {
	*fs.LoopbackNode
	w *watcher
}

var (
	_ fs.NodeOpener      = (*node)(nil)
	_ fs.NodeCreater     = (*node)(nil)
	_ fs.NodeWrapChilder = (*node)(nil)
)

// newRoot is the loopback root over backing whose nodes apply w's rules:
// every child the loopback creates is wrapped by the parent's WrapChild.
func newRoot(backing string, w *watcher) (fs.InodeEmbedder, error) {
	lb, err := fs.NewLoopbackRoot(backing)
	if err != nil {
		return nil, err
	}
	root := &node{LoopbackNode: lb.(*fs.LoopbackNode), w: w}
	root.RootData.RootNode = root
	return root, nil
}

// WrapChild gives every new node the fault rules.
func (n *node) WrapChild(_ context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	if lb, ok := ops.(*fs.LoopbackNode); ok {
		return &node{LoopbackNode: lb, w: n.w}
	}
	return ops
}

// rel is the node's path under the data directory.
func (n *node) rel() string { return n.Path(nil) }

// directFlags are dropped when opening the backing file: the kernel already
// bypasses its FUSE page cache for O_DIRECT callers, and the layer's
// buffers are not aligned for direct I/O on the backing file system.
const directFlags = syscall.O_DIRECT

// Open applies the open rules, then opens the backing file.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	path := n.rel()
	if errno := n.w.apply(OpOpen, path); errno != 0 {
		return nil, 0, errno
	}
	fh, fl, errno := n.LoopbackNode.Open(ctx, flags&^directFlags)
	return n.wrap(fh, path), fl, errno
}

// Create applies the open rules, then creates the backing file.
func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	path := filepath.Join(n.rel(), name)
	if errno := n.w.apply(OpOpen, path); errno != 0 {
		return nil, nil, 0, errno
	}
	in, fh, fl, errno := n.LoopbackNode.Create(ctx, name, flags&^directFlags, mode, out)
	return in, n.wrap(fh, path), fl, errno
}

func (n *node) wrap(fh fs.FileHandle, path string) fs.FileHandle {
	lf, ok := fh.(*fs.LoopbackFile)
	if !ok {
		return fh
	}
	return &file{LoopbackFile: lf, path: path, w: n.w}
}

// file is an open backing file whose reads, writes and syncs pass through
// the rules. It never hands its descriptor to the kernel for passthrough,
// which would bypass the layer.
type file struct {
	*fs.LoopbackFile
	path string
	w    *watcher
}

var (
	_ fs.FileReader   = (*file)(nil)
	_ fs.FileWriter   = (*file)(nil)
	_ fs.FileWritever = (*file)(nil)
	_ fs.FileFsyncer  = (*file)(nil)
)

// PassthroughFd refuses kernel passthrough.
func (f *file) PassthroughFd() (int, bool) { return -1, false }

func (f *file) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if errno := f.w.apply(OpRead, f.path); errno != 0 {
		return nil, errno
	}
	return f.LoopbackFile.Read(ctx, dest, off)
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if errno := f.w.apply(OpWrite, f.path); errno != 0 {
		return 0, errno
	}
	return f.LoopbackFile.Write(ctx, data, off)
}

func (f *file) Writev(ctx context.Context, data [][]byte, off int64) (uint32, syscall.Errno) {
	if errno := f.w.apply(OpWrite, f.path); errno != 0 {
		return 0, errno
	}
	return f.LoopbackFile.Writev(ctx, data, off)
}

func (f *file) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if errno := f.w.apply(OpFsync, f.path); errno != 0 {
		return errno
	}
	return f.LoopbackFile.Fsync(ctx, flags)
}
