//go:build linux

package sockdiag

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// minWalkGap is the shortest time between two walks of /proc/*/fd; a walk
// that took long pushes the next one further off, so that walking costs at
// most 1/walkShare of a core (a walk reads a link per open file of every
// process: ~36 ms with 10k sockets held, which would be 3.6% of a core at
// one walk a second).
const (
	minWalkGap = time.Second
	walkShare  = 50
)

// owners attributes sockets to processes from a cache of inode->pid built by
// walking /proc/*/fd. A walk costs about 1.4-3.6 ms per 1,000 sockets, so it
// runs only when a sample holds an inode the cache has never seen, at most
// once a second and at most 1/walkShare of the time; between walks new
// sockets stay unattributed (the poller carries owners over once known).
type owners struct {
	procfs string
	euid   int
	owner  map[uint64]process // socket inode -> its process, from the last walk
	// missed holds inodes a walk looked for and did not find (sockets of
	// processes this user may not inspect, or already gone): they do not
	// trigger another walk.
	missed   map[uint64]struct{}
	names    map[int32]string // pid -> process name (comm)
	lastWalk time.Time
	walkGap  time.Duration // minWalkGap, or more after a slow walk
	linkBuf  []byte
}

func newOwners(procfs string) *owners {
	return &owners{
		procfs:  procfs,
		euid:    os.Geteuid(),
		owner:   map[uint64]process{},
		missed:  map[uint64]struct{}{},
		names:   map[int32]string{},
		linkBuf: make([]byte, 64),
	}
}

// attribute fills PID and Process from the cache, walking /proc first when
// allowed and needed. It reports whether owners are hidden: not root, and a
// socket of another user has an inode but no process.
func (o *owners) attribute(socks []sampler.Socket, now time.Time) (hidden bool) {
	unknown := o.fill(socks)
	if unknown == 0 || now.Sub(o.lastWalk) < max(o.walkGap, minWalkGap) {
		return o.hidden(socks)
	}
	start := time.Now()
	o.walk()
	o.walkGap = walkShare * time.Since(start)
	o.lastWalk = now
	clear(o.missed)
	o.fill(socks)
	for i := range socks {
		if s := &socks[i]; s.Inode != 0 && s.PID == 0 {
			o.missed[s.Inode] = struct{}{}
		}
	}
	return o.hidden(socks)
}

// fill attributes sockets from the cache; it counts inodes never looked for.
func (o *owners) fill(socks []sampler.Socket) (unknown int) {
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 {
			continue
		}
		if p, ok := o.owner[s.Inode]; ok {
			s.PID, s.Process = p.pid, p.name
		} else if _, ok := o.missed[s.Inode]; !ok {
			unknown++
		}
	}
	return unknown
}

func (o *owners) hidden(socks []sampler.Socket) bool {
	if o.euid == 0 {
		return false
	}
	for i := range socks {
		if s := &socks[i]; s.Inode != 0 && s.PID == 0 && int(s.UID) != o.euid {
			return true
		}
	}
	return false
}

// walk rebuilds inode->pid from every /proc/<pid>/fd this process may read,
// keeping the names of pids still present.
func (o *owners) walk() {
	d, err := os.Open(o.procfs)
	if err != nil {
		return
	}
	entries, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return
	}
	pidOf := make(map[uint64]int32, len(o.owner))
	names := make(map[int32]string, len(o.names))
	for _, e := range entries {
		pid, err := strconv.ParseInt(e, 10, 32)
		if err != nil {
			continue
		}
		if o.scanFDs(int32(pid), pidOf) {
			name, ok := o.names[int32(pid)]
			if !ok {
				name = o.readName(int32(pid))
			}
			names[int32(pid)] = name
		}
	}
	owner := make(map[uint64]process, len(pidOf))
	for inode, pid := range pidOf {
		owner[inode] = process{pid, names[pid]}
	}
	o.owner, o.names = owner, names
}

// process is what a socket is attributed to; one map lookup per socket.
type process struct {
	pid  int32
	name string
}

// scanFDs adds the socket inodes of one process; it reports whether any.
func (o *owners) scanFDs(pid int32, pidOf map[uint64]int32) bool {
	dir := o.procfs + "/" + strconv.Itoa(int(pid)) + "/fd"
	d, err := os.Open(dir)
	if err != nil {
		return false // gone, or not ours to read
	}
	defer d.Close()
	fds, err := d.Readdirnames(-1)
	if err != nil {
		return false
	}
	dfd := int(d.Fd())
	found := false
	for _, fd := range fds {
		n, err := unix.Readlinkat(dfd, fd, o.linkBuf)
		if err != nil || n >= len(o.linkBuf) {
			continue
		}
		if inode, ok := socketInode(o.linkBuf[:n]); ok {
			if _, dup := pidOf[inode]; !dup { // shared sockets: the first (lowest) pid wins
				pidOf[inode] = pid
			}
			found = true
		}
	}
	return found
}

func (o *owners) readName(pid int32) string {
	b, err := os.ReadFile(o.procfs + "/" + strconv.Itoa(int(pid)) + "/comm")
	if err != nil {
		return ""
	}
	return string(bytes.TrimRight(b, "\n"))
}
