//go:build linux

package cgroup

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// fileidKernfs is the file handle type of a kernfs node (FILEID_KERNFS,
// include/linux/exportfs.h): its 8 bytes are the node id, which for a
// cgroup is the cgroup id.
const fileidKernfs = 0xfe

// Resolver maps cgroup ids to paths relative to the cgroup2 mount, each
// starting with "/". It opens an id by handle (open_by_handle_at, what
// systemd does; needs CAP_DAC_READ_SEARCH) and otherwise walks the
// hierarchy, at most once every walkEvery. Safe for concurrent use.
type Resolver struct {
	root string
	mu   sync.Mutex
	c    cache
	// mount is the mount point opened for open_by_handle_at (nil once the
	// kernel refused it: not permitted).
	mount    *os.File
	lastWalk time.Time
	now      func() time.Time
}

// NewResolver finds the cgroup2 mount in /proc/self/mountinfo.
func NewResolver() (*Resolver, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	root, err := ParseMountinfo(f)
	if err != nil {
		return nil, err
	}
	return NewResolverAt(root)
}

// NewResolverAt resolves ids under the cgroup2 hierarchy mounted at root.
func NewResolverAt(root string) (*Resolver, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		return nil, err
	}
	if st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil, errors.New(root + " is not a cgroup2 mount")
	}
	r := &Resolver{root: filepath.Clean(root), c: newCache(), now: time.Now}
	if m, err := os.Open(root); err == nil {
		r.mount = m
	}
	return r, nil
}

// Root is the cgroup2 mount point.
func (r *Resolver) Root() string { return r.root }

// Close releases the mount point's descriptor.
func (r *Resolver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mount == nil {
		return nil
	}
	err := r.mount.Close()
	r.mount = nil
	return err
}

// Path returns the path of cgroup id ("/system.slice/nginx.service", "/"
// for the root); ok is false when it is not found (a cgroup removed since
// the socket was made, or a walk not yet due).
func (r *Resolver) Path(id uint64) (string, bool) {
	if id == 0 {
		return "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if p, ok, missed := r.c.get(id, now); ok || missed {
		return p, ok
	}
	if r.mount != nil {
		p, err := r.byHandle(id)
		switch {
		case err == nil:
			r.c.put(id, p)
			return p, true
		case errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP):
			r.mount.Close() // not permitted here: walk from now on
			r.mount = nil
		default: // ESTALE and the like: gone
			r.c.missed(id, now)
			return "", false
		}
	}
	if now.Sub(r.lastWalk) >= walkEvery {
		r.lastWalk = now
		r.walk()
		if p, ok := r.c.path[id]; ok {
			return p, true
		}
	}
	r.c.missed(id, now)
	return "", false
}

// byHandle opens the cgroup's directory by its id and reads its path back.
func (r *Resolver) byHandle(id uint64) (string, error) {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], id)
	fd, err := unix.OpenByHandleAt(int(r.mount.Fd()), unix.NewFileHandle(fileidKernfs, b[:]), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return "", err
	}
	rel, ok := r.relative(p)
	if !ok {
		return "", syscall.ESTALE // deleted, or outside our view of the mount
	}
	return rel, nil
}

// relative turns an absolute path under the mount into one from its root.
func (r *Resolver) relative(p string) (string, bool) {
	if strings.HasSuffix(p, " (deleted)") {
		return "", false
	}
	if p == r.root {
		return "/", true
	}
	rest, ok := strings.CutPrefix(p, r.root+"/")
	if !ok {
		return "", false
	}
	return "/" + rest, true
}

// walk records every cgroup directory's id and path, up to MaxCached.
func (r *Resolver) walk() {
	n := 0
	_ = filepath.WalkDir(r.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if n >= MaxCached {
			return filepath.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		if rel, ok := r.relative(p); ok {
			r.c.put(st.Ino, rel)
			n++
		}
		return nil
	})
}

// IDOf returns the cgroup id of a directory under the mount (its inode).
func IDOf(dir string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}

// OfPID returns the cgroup v2 path of a process from /proc/PID/cgroup (the
// "0::" line), relative to the mount.
func OfPID(pid int) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return "", err
	}
	return ParseProcCgroup(string(b))
}

// NewWalkingResolver is NewResolverAt without open_by_handle_at: ids are
// found by walking the hierarchy, as for a user without
// CAP_DAC_READ_SEARCH.
func NewWalkingResolver(root string) (*Resolver, error) {
	r, err := NewResolverAt(root)
	if err != nil {
		return nil, err
	}
	r.mount.Close()
	r.mount = nil
	return r, nil
}
