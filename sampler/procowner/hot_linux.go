//go:build linux

package procowner

import (
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// Hot pids are processes that made sockets recently: a process that opens
// connections keeps opening them, so a sample with sockets the cache does
// not know first reads only those processes' /proc/PID/fd, cheapest first,
// and leaves the rest to the rate-limited full walk.
const (
	// hotFDBudget bounds the fd links a sample's hot scan reads: a process
	// holding more fds than remain is skipped (the full walk finds its
	// sockets), so a 10k-socket server never makes each sample a walk.
	hotFDBudget = 2000
	// hotTTL: a pid that has made no new socket for this long stops being hot.
	hotTTL = 30 * time.Second
	// maxHot bounds the hot set, and so the /proc/PID handles held open.
	maxHot = 64
	// hotShare: after a hot scan that took d, the next waits hotShare*d,
	// so hot scans cost at most about 1/hotShare of a core (a 2,000-link
	// scan takes ~6 ms; a sample interval may be 10 ms).
	hotShare = 20
)

// hotPid is a process that made sockets recently.
type hotPid struct {
	pid   int32
	name  string
	start uint64 // its start time, read by the walk that made it hot
	// dir is /proc/PID held open: once the process exits, lookups under it
	// fail even if its pid is reused by another process.
	dir   *os.File
	dirFD int
	fds   int       // fd entries at its last scan: what the next one costs
	made  time.Time // when it was last found holding a socket new to the cache
}

// scanHotPaced runs a hot scan unless the last one, by its length, asks for
// a pause; it reports whether it ran.
func (o *Resolver) scanHotPaced(socks []sampler.Socket, now time.Time) bool {
	if now.Before(o.nextHot) {
		return false
	}
	start := time.Now()
	if !o.scanHot(socks, now) {
		return false
	}
	o.nextHot = now.Add(time.Duration(o.hotShare) * time.Since(start))
	return true
}

// scanHot looks for the sample's never-looked-for inodes in the hot pids'
// fd tables, cheapest first, reading at most o.budget fd links; it stops
// once every such inode is found. Found inodes go into the owner cache.
// It reports false when no pid is hot: nothing was looked for, so no
// inode is tried (at porttop's start, every socket of the first sample
// was marked tried, 4 MB at ~100k sockets, just before the walk).
func (o *Resolver) scanHot(socks []sampler.Socket, now time.Time) bool {
	o.expireHot(now)
	if len(o.hot) == 0 {
		return false
	}
	clear(o.want)
	for i := range socks {
		if s := &socks[i]; s.Inode != 0 && s.PID == 0 && o.mayHold(s) && o.fresh(uint64(s.Inode)) {
			o.want[uint64(s.Inode)] = struct{}{}
		}
	}
	if len(o.want) == 0 {
		return true
	}
	o.order = o.order[:0]
	for _, h := range o.hot {
		o.order = append(o.order, h)
	}
	slices.SortFunc(o.order, func(a, b *hotPid) int {
		if a.fds != b.fds {
			return a.fds - b.fds
		}
		return int(a.pid - b.pid)
	})
	budget := o.budget
	for _, h := range o.order {
		if len(o.want) == 0 || budget <= 0 {
			break
		}
		if h.fds > budget {
			continue
		}
		read, alive := o.scanHotPid(h, budget, now)
		budget -= read
		if !alive { // its pid may be reused: the next walk reads the name afresh
			o.dropHot(h.pid)
			delete(o.names, h.pid)
		}
	}
	clear(o.order) // no stale pointers kept past a drop
	return true
}

// mayHold reports whether a process this user may inspect is likely to
// hold s: not root, only processes of the same uid are readable, and a
// socket of another uid is left to the walk (which finds it if it can).
func (o *Resolver) mayHold(s *sampler.Socket) bool {
	return o.privileged() || int(s.UID) == o.euid
}

// scanHotPid reads one hot pid's socket fds, at most limit of them (none if
// it holds more); alive is false when its fd table can no longer be read.
func (o *Resolver) scanHotPid(h *hotPid, limit int, now time.Time) (read int, alive bool) {
	fd, err := unix.Openat(h.dirFD, "fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false // exited (ENOENT), or no longer ours to read (EACCES)
	}
	d := os.NewFile(uintptr(fd), "fd")
	defer d.Close()
	names, err := d.Readdirnames(limit + 1)
	if err != nil && err != io.EOF {
		return 0, false
	}
	h.fds = len(names)
	if len(names) > limit {
		return 0, true // too big this time: the full walk will find its sockets
	}
	renamed := false
	for _, name := range names {
		n, err := unix.Readlinkat(fd, name, o.linkBuf)
		read++
		if err != nil || n >= len(o.linkBuf) {
			continue
		}
		inode, ok := socketInode(o.linkBuf[:n])
		if !ok {
			continue
		}
		if _, wanted := o.want[inode]; wanted {
			delete(o.want, inode)
			if !renamed { // it may have exec'd since it became hot
				o.rename(h)
				renamed = true
			}
			o.owner[uint32(inode)] = h.pid // one a sample asked for: 32 bits
			o.ownerPeak = max(o.ownerPeak, len(o.owner))
			o.procs[h.pid] = process{h.pid, h.name, h.start}
			h.made = now
		}
	}
	o.fdReads += uint64(read)
	return read, true
}

// markHot makes the owners of sockets a walk just attributed hot (they made
// sockets new to the cache), cheapest first while there is room; a pid
// already hot is refreshed, and room is made by dropping the stalest.
func (o *Resolver) markHot(made map[int32]int, now time.Time) {
	pids := make([]int32, 0, len(made))
	for pid := range made {
		pids = append(pids, pid)
	}
	slices.SortFunc(pids, func(a, b int32) int {
		if made[a] != made[b] {
			return made[a] - made[b]
		}
		return int(a - b)
	})
	for _, pid := range pids {
		if h, ok := o.hot[pid]; ok {
			h.made, h.fds = now, made[pid]
			continue
		}
		if len(o.hot) >= maxHot && !o.dropStalest(now) {
			return
		}
		dir, err := os.Open(o.procfs + "/" + strconv.Itoa(int(pid)))
		if err != nil {
			continue
		}
		o.hot[pid] = &hotPid{pid: pid, name: o.names[pid], start: o.starts[pid], dir: dir, dirFD: int(dir.Fd()), fds: made[pid], made: now}
	}
}

// dropStalest drops the hot pid that made a socket longest ago, if before now.
func (o *Resolver) dropStalest(now time.Time) bool {
	var stalest *hotPid
	for _, h := range o.hot {
		if stalest == nil || h.made.Before(stalest.made) {
			stalest = h
		}
	}
	if stalest == nil || !stalest.made.Before(now) {
		return false
	}
	o.dropHot(stalest.pid)
	return true
}

func (o *Resolver) expireHot(now time.Time) {
	for pid, h := range o.hot {
		if now.Sub(h.made) > hotTTL {
			o.dropHot(pid)
		}
	}
}

func (o *Resolver) dropHot(pid int32) {
	if h, ok := o.hot[pid]; ok {
		h.dir.Close()
		delete(o.hot, pid)
	}
}

// Close releases the /proc/PID handles of hot pids; the Resolver stays
// usable (a later walk or hot scan opens what it needs again).
func (o *Resolver) Close() {
	if o == nil {
		return
	}
	for pid := range o.hot {
		o.dropHot(pid)
	}
}

// rename re-reads a hot pid's name (comm) through its /proc/PID handle, so
// a process that exec'd another program gets the new program's name; the
// old name stays when it cannot be read.
func (o *Resolver) rename(h *hotPid) {
	fd, err := unix.Openat(h.dirFD, "comm", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	var buf [64]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil || n == 0 {
		return
	}
	name := strings.TrimSpace(string(buf[:n]))
	if name == "" || name == h.name {
		return
	}
	h.name = name
	o.names[h.pid] = name
	if _, ok := o.procs[h.pid]; ok { // its older sockets are the new program's now
		o.procs[h.pid] = process{h.pid, name, h.start}
	}
}
